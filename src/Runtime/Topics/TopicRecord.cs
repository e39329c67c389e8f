namespace StreamSql.Runtime.Topics;

/// <summary>A record as stored in a topic partition: its offset, timestamp (epoch milliseconds), key and value bytes, and headers (null when none).</summary>
public record TopicRecord(long Offset, long Timestamp, byte[]? Key, byte[]? Value, IReadOnlyList<RecordHeader>? Headers = null);
