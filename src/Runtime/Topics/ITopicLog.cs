namespace StreamSql.Runtime.Topics;

/// <summary>One partitioned, append-only topic; readers see only records that are durable.</summary>
public interface ITopicLog
{
    string Name { get; }

    int PartitionCount { get; }

    /// <summary>
    /// Appends records to a partition and returns once they are durable; the result is the first record's offset. The list is
    /// read before the call returns its task (the caller may clear it then; the records' arrays may be kept until delivered).
    /// </summary>
    ValueTask<long> AppendAsync(int partition, IReadOnlyList<ProducedRecord> records, CancellationToken cancellationToken = default);

    /// <summary>The end readers see (Kafka's last stable offset): durable records not behind a writer's open fence.</summary>
    long EndOffset(int partition);

    /// <summary>The offset the next durable record will get, fenced records included (the "log end offset").</summary>
    long LogEndOffset(int partition) => EndOffset(partition);

    /// <summary>
    /// Read-committed output: records appended to the partition at or after offset stay invisible to readers until the
    /// writer calls <see cref="Unfence"/> with the same offset (after committing the input offsets the output came from).
    /// </summary>
    void Fence(int partition, long offset)
    {
    }

    void Unfence(int partition, long offset)
    {
    }

    /// <summary>The offset of the first record still held (0 until retention exists).</summary>
    long StartOffset(int partition);

    /// <summary>The first offset at which the partition's timestamps (as a running maximum) reach timestamp, or -1 when no record is that late; Kafka's ListOffsets semantics.</summary>
    long OffsetForTimestamp(int partition, long timestamp);

    IPartitionReader OpenReader(int partition, long fromOffset);
}
