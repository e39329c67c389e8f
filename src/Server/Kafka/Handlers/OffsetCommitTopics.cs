using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>The topics/partitions/offsets array OffsetCommit and TxnOffsetCommit share, and their per-partition answer.</summary>
internal static class OffsetCommitTopics
{
    /// <summary>Reads every offset of the request; withLeaderEpoch says whether the version carries committed_leader_epoch.</summary>
    public static (List<CommittedOffset> Offsets, List<(string Topic, List<int> Partitions)> Answers) Read(KafkaReader request, string groupId, bool withLeaderEpoch)
    {
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
                var leaderEpoch = withLeaderEpoch ? request.Int32() : -1;
                var metadata = request.NullableString();
                partitions.Add(partition);
                offsets.Add(new CommittedOffset(groupId, topic, partition, offset, leaderEpoch, metadata));
            }

            answers.Add((topic, partitions));
        }

        return (offsets, answers);
    }

    /// <summary>Answers every partition of the request with the same error code.</summary>
    public static void WriteAnswers(KafkaWriter response, List<(string Topic, List<int> Partitions)> answers, short error)
    {
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
    }
}
