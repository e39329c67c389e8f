namespace StreamSql.Runtime.Queries;

/// <summary>A batch about to be written: its source partition, the source offset it ends at, and each sink partition's end before the write.</summary>
public sealed record OutputIntent(int SourcePartition, long EndOffset, IReadOnlyList<long> SinkEnds);
