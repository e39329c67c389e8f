namespace StreamSql.Runtime.Engine;

/// <summary>What operators and monitoring ask of the engine: the state of every persistent query.</summary>
public sealed partial class StreamEngine
{
    public IReadOnlyList<QueryStatus> QueryStatuses()
    {
        lock (_running)
        {
            return _running.Values
                .OrderBy(q => q.Definition.Id, StringComparer.Ordinal)
                .Select(q => new QueryStatus(q.Definition.Id, q.Definition.SinkName, q.Status, q.Metrics.RecordsIn, q.Metrics.RecordsOut,
                    q.Metrics.BadRecords, q.Metrics.LastError ?? q.Failure?.Message, q.Lag())
                {
                    LateRecords = q.Metrics.LateRecords,
                    StateEntries = q.StateEntries,
                    StateBytes = q.StateBytes,
                    Checkpoints = q.State?.Checkpoints ?? 0,
                    Failure = q.Failure?.Message,
                    LastCheckpointMillis = q.State?.LastCheckpointAt is null ? null : q.State.LastCheckpointMillis,
                    CheckpointAgeSeconds = q.State?.LastCheckpointAt is { } at ? Math.Max(0, (DateTimeOffset.UtcNow - at).TotalSeconds) : null,
                })
                .ToList();
        }
    }

    /// <summary>Ready once the catalog is replayed (the engine exists) and every persistent query is running.</summary>
    public bool IsReady => QueryStatuses().All(q => q.Status == "RUNNING");
}
