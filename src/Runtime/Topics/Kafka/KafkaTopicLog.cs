using Confluent.Kafka;

namespace StreamSql.Runtime.Topics.Kafka;

/// <summary>A topic in a Kafka cluster: appends go through the store's shared idempotent producer, offsets come from the partition leaders.</summary>
internal sealed class KafkaTopicLog : ITopicLog
{
    private readonly KafkaClients _clients;

    // The highest end offset this process has seen per partition (from its own appends and watermark queries); readers use it
    // to know that records exist which the consumer has not fetched yet.
    private readonly long[] _knownEnd;

    public KafkaTopicLog(string name, int partitions, KafkaClients clients)
    {
        Name = name;
        PartitionCount = partitions;
        _clients = clients;
        _knownEnd = new long[partitions];
    }

    public string Name { get; }

    public int PartitionCount { get; }

    public async ValueTask<long> AppendAsync(int partition, IReadOnlyList<ProducedRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0)
        {
            return EndOffset(partition);
        }

        var target = new TopicPartition(Name, new Partition(partition));
        var deliveries = new Task<DeliveryResult<byte[]?, byte[]?>>[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            deliveries[i] = _clients.Producer.ProduceAsync(target, ToMessage(records[i]), cancellationToken);
        }

        DeliveryResult<byte[]?, byte[]?>[] results;
        try
        {
            results = await Task.WhenAll(deliveries).ConfigureAwait(false);
        }
        catch (ProduceException<byte[]?, byte[]?> e)
        {
            throw new IOException($"cannot append to Kafka topic {Name} partition {partition}: {e.Error.Reason}", e);
        }

        RaiseKnownEnd(partition, results[^1].Offset.Value + 1);
        return results[0].Offset.Value;
    }

    public long EndOffset(int partition) => Watermarks(partition).High.Value;

    public long StartOffset(int partition) => Watermarks(partition).Low.Value;

    public long OffsetForTimestamp(int partition, long timestamp)
    {
        var found = _clients.Offsets.OffsetsForTimes(
            [new TopicPartitionTimestamp(Name, new Partition(partition), new Timestamp(timestamp, TimestampType.CreateTime))],
            KafkaClients.RequestTimeout);
        var offset = found.Count == 1 ? found[0].Offset : Offset.End;
        return offset.IsSpecial ? -1 : offset.Value;
    }

    public IPartitionReader OpenReader(int partition, long fromOffset) => new KafkaPartitionReader(this, partition, Math.Max(fromOffset, 0), _clients);

    /// <summary>The end offset known without asking the cluster.</summary>
    public long KnownEnd(int partition) => Volatile.Read(ref _knownEnd[partition]);

    private WatermarkOffsets Watermarks(int partition)
    {
        // Asked each time rather than cached: other clients may have produced, and FLUSH must see what exists when it starts.
        var watermarks = _clients.Offsets.QueryWatermarkOffsets(new TopicPartition(Name, new Partition(partition)), KafkaClients.RequestTimeout);
        RaiseKnownEnd(partition, watermarks.High.Value);
        return watermarks;
    }

    private void RaiseKnownEnd(int partition, long end)
    {
        var current = Volatile.Read(ref _knownEnd[partition]);
        while (end > current)
        {
            var seen = Interlocked.CompareExchange(ref _knownEnd[partition], end, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    internal static Message<byte[]?, byte[]?> ToMessage(ProducedRecord record)
    {
        var message = new Message<byte[]?, byte[]?>
        {
            Key = record.Key,
            Value = record.Value,
            Timestamp = new Timestamp(record.Timestamp, TimestampType.CreateTime),
        };
        if (record.Headers is { Count: > 0 } headers)
        {
            message.Headers = [];
            foreach (var header in headers)
            {
                message.Headers.Add(header.Key, header.Value);
            }
        }

        return message;
    }
}
