namespace StreamSql.Planner.Logical;

/// <summary>
/// What makes an aggregate windowed: which group keys are window_start and window_end, and how long after its end a
/// window still takes late records (grace). A window closes when the stream time passes end + grace.
/// </summary>
/// <param name="SessionGapMicros">Session windows (0 for the others): a window is a key's run of records less than the gap apart.</param>
/// <param name="SlidingSizeMicros">Sliding (time-difference) windows (0 for the others): the window size.</param>
/// <param name="RetentionMicros">RETENTION of the window clause: how long a window's row stays in the windowed table; null keeps it.</param>
public sealed record AggregateWindow(int StartKey, int EndKey, long GraceMicros, string Description, long SessionGapMicros = 0, long SlidingSizeMicros = 0,
    long? RetentionMicros = null)
{
    public bool IsSession => SessionGapMicros > 0;

    public bool IsSliding => SlidingSizeMicros > 0;
}
