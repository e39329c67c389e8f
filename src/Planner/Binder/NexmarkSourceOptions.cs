namespace StreamSql.Planner.Binder;

/// <summary>A stream filled by the built-in Nexmark generator: which table (person, auction, bid), how many events of the whole timeline, the seed and the event rate (events per second of event time).</summary>
public sealed record NexmarkSourceOptions(string Table, long Events, long Seed, double EventRate, int Position)
{
    /// <summary>
    /// nexmark_storage='topic' (true, the default): the events are written to the stream's topic when it is created.
    /// 'none' (false): nothing is stored; the events are generated in process whenever the stream is read.
    /// </summary>
    public bool Stored { get; init; } = true;
}
