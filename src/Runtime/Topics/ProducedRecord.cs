namespace StreamSql.Runtime.Topics;

/// <summary>A record to append; the log assigns its offset.</summary>
public readonly record struct ProducedRecord(byte[]? Key, byte[]? Value, long Timestamp);
