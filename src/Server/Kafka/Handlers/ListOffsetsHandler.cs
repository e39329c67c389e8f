using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>ListOffsets (key 2, v1-v5): latest (-1), earliest (-2), or the first offset whose timestamp reaches the one asked for.</summary>
internal sealed class ListOffsetsHandler : IKafkaHandler
{
    private const long Latest = -1;
    private const long Earliest = -2;

    public ApiKey Key => ApiKey.ListOffsets;

    public short MinVersion => 1;

    public short MaxVersion => 5;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var version = exchange.Version;
        request.Int32();
        if (version >= 2)
        {
            request.Int8();
        }

        var response = exchange.Response;
        if (version >= 2)
        {
            response.Int32(0);
        }

        var topicCount = request.ArrayLength();
        response.ArrayLength(Math.Max(topicCount, 0));
        for (var t = 0; t < topicCount; t++)
        {
            var name = request.String();
            var log = exchange.Broker.Topics.Find(name);
            response.String(name);
            var partitionCount = request.ArrayLength();
            response.ArrayLength(Math.Max(partitionCount, 0));
            for (var p = 0; p < partitionCount; p++)
            {
                var partition = request.Int32();
                if (version >= 4)
                {
                    request.Int32();
                }

                var timestamp = request.Int64();
                response.Int32(partition);
                if (log is null || partition < 0 || partition >= log.PartitionCount)
                {
                    response.Int16(ErrorCode.UnknownTopicOrPartition);
                    response.Int64(-1);
                    response.Int64(-1);
                }
                else
                {
                    var (offset, foundTimestamp) = Lookup(log, partition, timestamp);
                    response.Int16(ErrorCode.None);
                    response.Int64(foundTimestamp);
                    response.Int64(offset);
                }

                if (version >= 4)
                {
                    response.Int32(-1);
                }
            }
        }

        return ValueTask.FromResult(true);
    }

    private static (long Offset, long Timestamp) Lookup(ITopicLog log, int partition, long timestamp)
    {
        switch (timestamp)
        {
            case Latest:
                return (log.EndOffset(partition), -1);
            case Earliest:
                return (log.StartOffset(partition), -1);
        }

        var offset = log.OffsetForTimestamp(partition, timestamp);
        if (offset < 0)
        {
            return (-1, -1);
        }

        var records = new List<TopicRecord>(1);
        using var reader = log.OpenReader(partition, offset);
        reader.TryRead(records, 1);
        return (offset, records.Count > 0 ? records[0].Timestamp : timestamp);
    }
}
