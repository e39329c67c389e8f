using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>TxnOffsetCommit (key 28, v0-v2): a transactional producer's consumer-group offsets, applied to the group when the transaction commits.</summary>
internal sealed class TxnOffsetCommitHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.TxnOffsetCommit;

    public short MinVersion => 0;

    public short MaxVersion => 2;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var transactionalId = request.String();
        var groupId = request.String();
        var producerId = request.Int64();
        var epoch = request.Int16();
        var (offsets, answers) = OffsetCommitTopics.Read(request, groupId, withLeaderEpoch: exchange.Version >= 2);
        var error = exchange.Broker.Transactions.CommitOffsets(transactionalId, producerId, epoch, groupId, offsets);
        var response = exchange.Response;
        response.Int32(0);
        OffsetCommitTopics.WriteAnswers(response, answers, error);
        return ValueTask.FromResult(true);
    }
}
