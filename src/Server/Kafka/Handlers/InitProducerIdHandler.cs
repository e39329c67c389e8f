using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>InitProducerId (key 22, v0-v1): gives idempotent producers a fresh producer id with epoch 0; transactional ids are refused.</summary>
internal sealed class InitProducerIdHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.InitProducerId;

    public short MinVersion => 0;

    public short MaxVersion => 1;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var transactionalId = exchange.Request.NullableString();
        exchange.Request.Int32();
        var response = exchange.Response;
        response.Int32(0);
        if (transactionalId is not null)
        {
            // StreamSql has no transaction coordinator; only idempotence (a null transactional id) is served.
            response.Int16(ErrorCode.TransactionalIdAuthorizationFailed);
            response.Int64(-1);
            response.Int16(-1);
        }
        else
        {
            response.Int16(ErrorCode.None);
            response.Int64(exchange.Broker.Producers.NextProducerId());
            response.Int16(0);
        }

        return ValueTask.FromResult(true);
    }
}
