using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>EndTxn (key 26, v0-v2): commits or aborts the producer's open transaction; a commit is answered once it is durable and visible.</summary>
internal sealed class EndTxnHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.EndTxn;

    public short MinVersion => 0;

    public short MaxVersion => 2;

    public async ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var transactionalId = request.String();
        var producerId = request.Int64();
        var epoch = request.Int16();
        var commit = request.Bool();
        var error = await exchange.Broker.Transactions.EndAsync(transactionalId, producerId, epoch, commit, exchange.Version, cancellationToken).ConfigureAwait(false);
        exchange.Response.Int32(0);
        exchange.Response.Int16(error);
        return true;
    }
}
