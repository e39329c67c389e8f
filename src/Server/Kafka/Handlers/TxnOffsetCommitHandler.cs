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
        var offsets = new List<CommittedOffset>();
        var answers = new List<(string Topic, List<int> Partitions)>();
        var topicCount = request.ArrayLength();
        for (var t = 0; t < topicCount; t++)
        {
            var topic = request.String();
            var partitions = new List<int>();
            var partitionCount = request.ArrayLength();
            for (var p = 0; p < partitionCount; p++)
            {
                var partition = request.Int32();
                var offset = request.Int64();
                var leaderEpoch = exchange.Version >= 2 ? request.Int32() : -1;
                var metadata = request.NullableString();
                partitions.Add(partition);
                offsets.Add(new CommittedOffset(groupId, topic, partition, offset, leaderEpoch, metadata));
            }

            answers.Add((topic, partitions));
        }

        var error = exchange.Broker.Transactions.CommitOffsets(transactionalId, producerId, epoch, groupId, offsets);
        var response = exchange.Response;
        response.Int32(0);
        response.ArrayLength(answers.Count);
        foreach (var (topic, partitions) in answers)
        {
            response.String(topic);
            response.ArrayLength(partitions.Count);
            foreach (var partition in partitions)
            {
                response.Int32(partition);
                response.Int16(error);
            }
        }

        return ValueTask.FromResult(true);
    }
}
