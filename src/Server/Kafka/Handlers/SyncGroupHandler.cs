using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>SyncGroup (key 14, v0-v3): the leader hands in the assignment; every member waits for it and gets its own part.</summary>
internal sealed class SyncGroupHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.SyncGroup;

    public short MinVersion => 0;

    public short MaxVersion => 3;

    public async ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var groupId = request.String();
        var generation = request.Int32();
        var memberId = request.String();
        if (exchange.Version >= 3)
        {
            request.NullableString();
        }

        var count = request.ArrayLength();
        var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            assignments[request.String()] = request.Bytes();
        }

        var result = await exchange.Broker.Groups.SyncAsync(groupId, generation, memberId, assignments, cancellationToken).ConfigureAwait(false);
        var response = exchange.Response;
        if (exchange.Version >= 1)
        {
            response.Int32(0);
        }

        response.Int16(result.Error);
        response.Bytes(result.Assignment);
        return true;
    }
}
