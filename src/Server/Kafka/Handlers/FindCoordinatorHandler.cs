using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>FindCoordinator (key 10, v0-v2): this server coordinates every group and every transactional id, so the key type (v1+) does not matter.</summary>
internal sealed class FindCoordinatorHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.FindCoordinator;

    public short MinVersion => 0;

    public short MaxVersion => 2;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        exchange.Request.String();
        if (exchange.Version >= 1)
        {
            exchange.Request.Int8();
        }

        var response = exchange.Response;
        if (exchange.Version >= 1)
        {
            response.Int32(0);
        }

        response.Int16(ErrorCode.None);
        if (exchange.Version >= 1)
        {
            response.NullableString(null);
        }

        response.Int32(KafkaDefaults.NodeId);
        response.String(exchange.Session.AdvertisedHost);
        response.Int32(exchange.Session.AdvertisedPort);
        return ValueTask.FromResult(true);
    }
}
