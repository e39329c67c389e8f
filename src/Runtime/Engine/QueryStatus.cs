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
    /// <summary>Records dropped because their window had closed.</summary>
    public long LateRecords { get; init; }

    public long StateEntries { get; init; }

    public long StateBytes { get; init; }

    public long Lag => LagPerPartition.Sum();
}
