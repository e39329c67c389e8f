namespace StreamSql.Runtime.Topics;

/// <summary>A record as stored in a topic partition: its offset, timestamp (epoch milliseconds), key and value bytes, and headers (null when none).</summary>
public record TopicRecord(long Offset, long Timestamp, byte[]? Key, byte[]? Value, IReadOnlyList<RecordHeader>? Headers = null)
{
    // Settable by a reader that hands the same record objects out again (see IRecyclingPartitionReader).
    public long Offset { get; internal set; } = Offset;

    public long Timestamp { get; internal set; } = Timestamp;
}
