using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>LeaveGroup (key 13, v0-v2): removes a member at once, so the others rebalance without waiting for its session to expire.</summary>
internal sealed class LeaveGroupHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.LeaveGroup;

    public short MinVersion => 0;

    public short MaxVersion => 2;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var groupId = exchange.Request.String();
        var memberId = exchange.Request.String();
        var error = exchange.Broker.Groups.Leave(groupId, memberId);
        if (exchange.Version >= 1)
        {
            exchange.Response.Int32(0);
        }

        exchange.Response.Int16(error);
        return ValueTask.FromResult(true);
    }
}
