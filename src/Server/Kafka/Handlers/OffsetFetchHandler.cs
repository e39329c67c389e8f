using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>OffsetFetch (key 9, v1-v5): a group's committed offsets for the partitions asked (all of them for a null list, v2+); -1 when none.</summary>
internal sealed class OffsetFetchHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.OffsetFetch;

    public short MinVersion => 1;

    public short MaxVersion => 5;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var version = exchange.Version;
        var groupId = request.String();
        var offsets = exchange.Broker.Groups.Offsets;
        var asked = new List<(string Topic, int[] Partitions)>();
        var topicCount = request.ArrayLength();
        if (topicCount < 0)
        {
            foreach (var topic in offsets.ForGroup(groupId).GroupBy(o => o.Topic))
            {
                asked.Add((topic.Key, topic.Select(o => o.Partition).ToArray()));
            }
        }

        for (var t = 0; t < topicCount; t++)
        {
            asked.Add((request.String(), request.Int32Array()));
        }

        var response = exchange.Response;
        if (version >= 3)
        {
            response.Int32(0);
        }

        response.ArrayLength(asked.Count);
        foreach (var (topic, partitions) in asked)
        {
            response.String(topic);
            response.ArrayLength(partitions.Length);
            foreach (var partition in partitions)
            {
                var committed = offsets.Find(groupId, topic, partition);
                response.Int32(partition);
                response.Int64(committed?.Offset ?? -1);
                if (version >= 5)
                {
                    response.Int32(committed?.LeaderEpoch ?? -1);
                }

                response.NullableString(committed?.Metadata ?? "");
                response.Int16(ErrorCode.None);
            }
        }

        if (version >= 2)
        {
            response.Int16(ErrorCode.None);
        }

        return ValueTask.FromResult(true);
    }
}
