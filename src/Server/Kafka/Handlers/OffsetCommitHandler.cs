using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>OffsetCommit (key 8, v2-v7): checks the member and generation, then stores the offsets durably.</summary>
internal sealed class OffsetCommitHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.OffsetCommit;

    public short MinVersion => 2;

    public short MaxVersion => 7;

    public async ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var version = exchange.Version;
        var groupId = request.String();
        var generation = request.Int32();
        var memberId = request.String();
        if (version >= 7)
        {
            request.NullableString();
        }

        if (version <= 4)
        {
            request.Int64();
        }

        var groups = exchange.Broker.Groups;
        var error = groups.CheckCommit(groupId, generation, memberId);
        var commits = new List<CommittedOffset>();
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
                var epoch = version >= 6 ? request.Int32() : -1;
                var metadata = request.NullableString();
                partitions.Add(partition);
                if (error == ErrorCode.None)
                {
                    commits.Add(new CommittedOffset(groupId, topic, partition, offset, epoch, metadata));
                }
            }

            answers.Add((topic, partitions));
        }

        await groups.Offsets.CommitAsync(commits, cancellationToken).ConfigureAwait(false);
        var response = exchange.Response;
        if (version >= 3)
        {
            response.Int32(0);
        }

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

        return true;
    }
}
