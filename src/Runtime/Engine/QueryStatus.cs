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

    /// <summary>State checkpoints taken since the query started (0 for a stateless query).</summary>
    public long Checkpoints { get; init; }

    /// <summary>Why the query FAILED (null while it runs).</summary>
    public string? Failure { get; init; }

    /// <summary>How long the last checkpoint took, in milliseconds (null before the first).</summary>
    public long? LastCheckpointMillis { get; init; }

    /// <summary>Seconds since the last checkpoint (null before the first).</summary>
    public double? CheckpointAgeSeconds { get; init; }
}
