using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>Heartbeat (key 12, v0-v3): keeps a member's session alive and tells it when the group is rebalancing.</summary>
internal sealed class HeartbeatHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.Heartbeat;

    public short MinVersion => 0;

    public short MaxVersion => 3;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var groupId = request.String();
        var generation = request.Int32();
        var memberId = request.String();
        if (exchange.Version >= 3)
        {
            request.NullableString();
        }

        var error = exchange.Broker.Groups.Heartbeat(groupId, generation, memberId);
        if (exchange.Version >= 1)
        {
            exchange.Response.Int32(0);
        }

        exchange.Response.Int16(error);
        return ValueTask.FromResult(true);
    }
}
