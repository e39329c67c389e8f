namespace StreamSql.Runtime.Topics;

/// <summary>One partitioned, append-only topic; readers see only records that are durable.</summary>
public interface ITopicLog
{
    string Name { get; }

    int PartitionCount { get; }

    /// <summary>Appends records to a partition and returns once they are durable; the result is the first record's offset.</summary>
    ValueTask<long> AppendAsync(int partition, IReadOnlyList<ProducedRecord> records, CancellationToken cancellationToken = default);

    /// <summary>The offset the next durable record will get (the "high watermark").</summary>
    long EndOffset(int partition);

    long StartOffset(int partition);

    IPartitionReader OpenReader(int partition, long fromOffset);
}
