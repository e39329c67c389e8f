namespace StreamSql.Runtime.Topics;

/// <summary>A record as stored in a topic partition: its offset, timestamp (epoch milliseconds), key and value bytes.</summary>
public sealed record TopicRecord(long Offset, long Timestamp, byte[]? Key, byte[]? Value);
