using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>InitProducerId (key 22, v0-v1): a fresh producer id with epoch 0 for an idempotent producer; for a transactional id, its producer id with a bumped epoch (fencing older producers).</summary>
internal sealed class InitProducerIdHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.InitProducerId;

    public short MinVersion => 0;

    public short MaxVersion => 1;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var transactionalId = exchange.Request.NullableString();
        var timeoutMs = exchange.Request.Int32();
        var (error, producerId, epoch) = transactionalId is null
            ? (ErrorCode.None, exchange.Broker.Producers.NextProducerId(), (short)0)
            : exchange.Broker.Transactions.InitProducerId(transactionalId, timeoutMs);
        var response = exchange.Response;
        response.Int32(0);
        response.Int16(error);
        response.Int64(producerId);
        response.Int16(epoch);
        return ValueTask.FromResult(true);
    }
}
