using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>AddOffsetsToTxn (key 25, v0-v2): the open transaction will also commit a consumer group's offsets (sent next with TxnOffsetCommit).</summary>
internal sealed class AddOffsetsToTxnHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.AddOffsetsToTxn;

    public short MinVersion => 0;

    public short MaxVersion => 2;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var transactionalId = request.String();
        var producerId = request.Int64();
        var epoch = request.Int16();
        var groupId = request.String();
        var error = exchange.Broker.Transactions.AddOffsets(transactionalId, producerId, epoch, groupId, exchange.Version);
        exchange.Response.Int32(0);
        exchange.Response.Int16(error);
        return ValueTask.FromResult(true);
    }
}
