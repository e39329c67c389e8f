namespace StreamSql.Planner.Binder;

/// <summary>A stream filled by the built-in Nexmark generator: which table (person, auction, bid), how many events of the whole timeline, the seed and the event rate (events per second of event time).</summary>
public sealed record NexmarkSourceOptions(string Table, long Events, long Seed, double EventRate, int Position);
