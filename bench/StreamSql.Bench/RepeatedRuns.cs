namespace StreamSql.Bench;

/// <summary>
/// --repeat N: on this kind of machine one run's ratio can differ from the next by a factor of 1.5 (a neighbour on the
/// host, the baseline's short run catching a slow second), so a ratio is only worth reading as the middle of several.
/// The reported run is the one with the median ratio, whole (its rates and its ratio belong together), with the number
/// of runs and every run's ratio beside it.
/// </summary>
public static class RepeatedRuns
{
    /// <summary>The run with the median ratio (the lower middle of an even count); every run must have matched its baseline for the result to.</summary>
    public static BenchResult Median(IReadOnlyList<BenchResult> runs)
    {
        if (runs.Count == 0)
        {
            throw new ArgumentException("no runs", nameof(runs));
        }

        var byRatio = runs.OrderBy(r => r.Ratio).ToList();
        var median = byRatio[(byRatio.Count - 1) / 2];
        return median with
        {
            ChecksumMatch = runs.All(r => r.ChecksumMatch),
            Runs = runs.Count,
            RunRatios = [.. byRatio.Select(r => r.Ratio)],
        };
    }
}
