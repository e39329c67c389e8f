namespace StreamSql.Bench;

/// <summary>The collector's pause time and collection counts (per generation) since the process started, or between two points.</summary>
public readonly record struct GcActivity(double PauseSeconds, int Gen0, int Gen1, int Gen2)
{
    public static GcActivity Now() =>
        new(GC.GetTotalPauseDuration().TotalSeconds, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    public static GcActivity operator -(GcActivity after, GcActivity before) =>
        new(after.PauseSeconds - before.PauseSeconds, after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2);
}

/// <summary>Bytes the process handed to write system calls (Linux /proc/self/io wchar; 0 elsewhere).</summary>
public static class WrittenBytes
{
    public static long Now()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/io"))
            {
                if (line.StartsWith("wchar:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
