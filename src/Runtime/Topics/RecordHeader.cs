namespace StreamSql.Runtime.Topics;

/// <summary>One record header as Kafka defines it: a UTF-8 name and an optional byte value; names may repeat.</summary>
public sealed record RecordHeader(string Key, byte[]? Value);
