namespace StreamSql.Runtime.Topics;

/// <summary>A record to append; the log assigns its offset. Headers are kept in order; null means none.</summary>
public readonly record struct ProducedRecord(byte[]? Key, byte[]? Value, long Timestamp, IReadOnlyList<RecordHeader>? Headers = null);
