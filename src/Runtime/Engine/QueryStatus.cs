namespace StreamSql.Runtime.Engine;

/// <summary>A snapshot of one persistent query for introspection (SHOW QUERIES, DESCRIBE EXTENDED, /metrics).</summary>
public sealed record QueryStatus(
    string Id,
    string Sink,
    string Status,
    long RecordsIn,
    long RecordsOut,
    long BadRecords,
    string? LastError,
    IReadOnlyList<long> LagPerPartition)
{
    public long Lag => LagPerPartition.Sum();
}
