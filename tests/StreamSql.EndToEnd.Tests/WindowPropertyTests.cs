using System.Globalization;
using System.Text;

namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// Random events (random keys, event times out of order within the grace period, some late beyond it), inserted in random
/// batch sizes into a stream of 1 or 4 partitions, go through each window kind (tumbling, hopping, session, sliding,
/// cumulate, and EMIT FINAL) as a persistent aggregation; the resulting
/// table must equal a plain in-memory computation of the same semantics, partition by partition in offset order.
/// </summary>
public sealed class WindowPropertyTests
{
    private const long Second = 1000;
    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static TheoryData<int, int> Cases() => new() { { 1, 11 }, { 4, 12 }, { 1, 13 }, { 4, 14 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task WindowedAggregationsEqualTheReference(int partitions, int seed)
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var random = new Random(seed);
        // The watermark gives the table-function form (CUMULATE) the same 5 s grace the clauses state.
        await connection.ExecuteAsync($"CREATE STREAM prop (k VARCHAR KEY, ts TIMESTAMP, v INT, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (partitions={partitions})");
        await connection.ExecuteAsync("CREATE TABLE prop_tumbling AS SELECT k, windowstart, count(*) AS n, sum(v) AS s FROM prop WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY k");
        await connection.ExecuteAsync("CREATE TABLE prop_hopping AS SELECT k, windowstart, count(*) AS n, sum(v) AS s FROM prop WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY k");
        await connection.ExecuteAsync("CREATE TABLE prop_session AS SELECT k, windowstart, windowend, count(*) AS n, sum(v) AS s FROM prop WINDOW SESSION (3 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY k");
        await connection.ExecuteAsync("CREATE TABLE prop_sliding AS SELECT k, windowstart, windowend, count(*) AS n, sum(v) AS s FROM prop WINDOW SLIDING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY k");
        await connection.ExecuteAsync("CREATE TABLE prop_cumulate AS SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s FROM CUMULATE(prop, ts, INTERVAL '5' SECOND, INTERVAL '20' SECOND) GROUP BY k, window_start, window_end");
        await connection.ExecuteAsync("CREATE TABLE prop_final AS SELECT k, windowstart, count(*) AS n, sum(v) AS s FROM prop WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY k EMIT FINAL");

        // Event i happens at i seconds, up to 4 s early (within grace); one in twenty is 20 s early (late).
        var events = new List<(string Key, long Time, int Value)>();
        for (var i = 0; i < 500; i++)
        {
            var time = (i * Second) - (random.Next(5) * Second) - (random.Next(20) == 0 ? 20 * Second : 0);
            events.Add(("k" + random.Next(8), Math.Max(0, time), random.Next(1, 100)));
        }

        for (var start = 0; start < events.Count;)
        {
            var count = Math.Min(random.Next(1, 40), events.Count - start);
            var values = string.Join(", ", events.GetRange(start, count).Select(e => $"('{e.Key}', '{Text(e.Time)}', {e.Value})"));
            await connection.ExecuteAsync("INSERT INTO prop VALUES " + values);
            start += count;
        }

        await connection.ExecuteAsync("FLUSH");

        // Where each event landed: the reference replays each partition in offset order, as the query tasks do.
        var byPartition = (await connection.RowsAsync("SELECT k, ts::text, v, rowpartition, rowoffset FROM prop"))
            .Select(r => r.Split('|'))
            .Select(f => (Key: f[0], Time: Millis(f[1]), Value: int.Parse(f[2], CultureInfo.InvariantCulture), Partition: int.Parse(f[3], CultureInfo.InvariantCulture), Offset: long.Parse(f[4], CultureInfo.InvariantCulture)))
            .GroupBy(e => e.Partition)
            .Select(g => g.OrderBy(e => e.Offset).Select(e => (e.Key, e.Time, e.Value)).ToList())
            .ToList();
        Assert.Equal(events.Count, byPartition.Sum(p => p.Count));

        Assert.Equal(Reference.Fixed(byPartition, 10 * Second, 10 * Second, 5 * Second, final: false),
            (await connection.RowsAsync("SELECT k, windowstart::text, n, s FROM prop_tumbling")).Order(StringComparer.Ordinal));
        Assert.Equal(Reference.Fixed(byPartition, 10 * Second, 5 * Second, 5 * Second, final: false),
            (await connection.RowsAsync("SELECT k, windowstart::text, n, s FROM prop_hopping")).Order(StringComparer.Ordinal));
        Assert.Equal(Reference.Sessions(byPartition, 3 * Second, 5 * Second),
            (await connection.RowsAsync("SELECT k, windowstart::text, windowend::text, n, s FROM prop_session")).Order(StringComparer.Ordinal));
        Assert.Equal(Reference.Sliding(byPartition, 10 * Second, 5 * Second),
            (await connection.RowsAsync("SELECT k, windowstart::text, windowend::text, n, s FROM prop_sliding")).Order(StringComparer.Ordinal));
        Assert.Equal(Reference.Cumulate(byPartition, 5 * Second, 20 * Second, 5 * Second),
            (await connection.RowsAsync("SELECT k, window_start::text, window_end::text, n, s FROM prop_cumulate")).Order(StringComparer.Ordinal));
        Assert.Equal(Reference.Fixed(byPartition, 10 * Second, 10 * Second, 5 * Second, final: true),
            (await connection.RowsAsync("SELECT k, windowstart::text, n, s FROM prop_final")).Order(StringComparer.Ordinal));
    }

    private static string Text(long millis) => Epoch.AddMilliseconds(millis).ToString("yyyy-MM-dd HH:mm:ss.FFF", CultureInfo.InvariantCulture);

    private static long Millis(string text) =>
        (long)(DateTime.SpecifyKind(DateTime.ParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), DateTimeKind.Utc) - Epoch).TotalMilliseconds;

    /// <summary>The semantics, computed plainly: per partition, stream time is the largest event time so far.</summary>
    private static class Reference
    {
        /// <summary>Tumbling (advance = size) and hopping windows: a record counts in each window not closed (end + grace > stream time).</summary>
        public static List<string> Fixed(List<List<(string Key, long Time, int Value)>> partitions, long size, long advance, long grace, bool final)
        {
            var result = new List<string>();
            foreach (var events in partitions)
            {
                var windows = new Dictionary<(string Key, long Start), (long Count, long Sum)>();
                var streamTime = long.MinValue;
                foreach (var (key, time, value) in events)
                {
                    streamTime = Math.Max(streamTime, time);
                    for (var start = time - (time % advance) - size + advance; start <= time; start += advance)
                    {
                        if (start + size <= time || start + size + grace <= streamTime)
                        {
                            continue;
                        }

                        var (count, sum) = windows.GetValueOrDefault((key, start));
                        windows[(key, start)] = (count + 1, sum + value);
                    }
                }

                result.AddRange(windows
                    .Where(w => !final || w.Key.Start + size + grace <= streamTime)
                    .Select(w => $"{w.Key.Key}|{Text(w.Key.Start)}|{w.Value.Count}|{w.Value.Sum}"));
            }

            return [.. result.Order(StringComparer.Ordinal)];
        }

        /// <summary>
        /// Cumulating windows: within each max-size period from its start, windows [start, start + step), [start, start +
        /// 2 step) ... [start, start + max); a record counts in each that contains it and is not closed (end + grace > stream time).
        /// </summary>
        public static List<string> Cumulate(List<List<(string Key, long Time, int Value)>> partitions, long step, long max, long grace)
        {
            var result = new List<string>();
            foreach (var events in partitions)
            {
                var windows = new Dictionary<(string Key, long Start, long End), (long Count, long Sum)>();
                var streamTime = long.MinValue;
                foreach (var (key, time, value) in events)
                {
                    streamTime = Math.Max(streamTime, time);
                    var start = time - (time % max);
                    for (var end = start + step; end <= start + max; end += step)
                    {
                        if (end <= time || end + grace <= streamTime)
                        {
                            continue;
                        }

                        var (count, sum) = windows.GetValueOrDefault((key, start, end));
                        windows[(key, start, end)] = (count + 1, sum + value);
                    }
                }

                result.AddRange(windows.Select(w => $"{w.Key.Key}|{Text(w.Key.Start)}|{Text(w.Key.End)}|{w.Value.Count}|{w.Value.Sum}"));
            }

            return [.. result.Order(StringComparer.Ordinal)];
        }

        /// <summary>
        /// Sliding windows: a record older than stream time minus grace is late; the windows are [t - size, t] for each record
        /// and [t + 1 ms, t + 1 ms + size] where a record falls in it; each aggregates the records inside (ends inclusive).
        /// </summary>
        public static List<string> Sliding(List<List<(string Key, long Time, int Value)>> partitions, long size, long grace)
        {
            var result = new List<string>();
            foreach (var events in partitions)
            {
                var kept = new Dictionary<string, List<(long Time, int Value)>>();
                var streamTime = long.MinValue;
                foreach (var (key, time, value) in events)
                {
                    streamTime = Math.Max(streamTime, time);
                    if (time + grace >= streamTime)
                    {
                        (kept.TryGetValue(key, out var l) ? l : kept[key] = []).Add((time, value));
                    }
                }

                foreach (var (key, records) in kept)
                {
                    var windows = new HashSet<(long Start, long End)>();
                    foreach (var (time, _) in records)
                    {
                        windows.Add((time - size, time));
                        if (records.Any(r => r.Time >= time + 1 && r.Time <= time + 1 + size))
                        {
                            windows.Add((time + 1, time + 1 + size));
                        }
                    }

                    result.AddRange(windows.Select(w =>
                    {
                        var inside = records.Where(r => r.Time >= w.Start && r.Time <= w.End).ToList();
                        return $"{key}|{Text(w.Start)}|{Text(w.End)}|{inside.Count}|{inside.Sum(r => (long)r.Value)}";
                    }));
                }
            }

            return [.. result.Order(StringComparer.Ordinal)];
        }

        /// <summary>Sessions: a record older than stream time minus grace is late; otherwise it merges every session within gap of it.</summary>
        public static List<string> Sessions(List<List<(string Key, long Time, int Value)>> partitions, long gap, long grace)
        {
            var result = new List<string>();
            foreach (var events in partitions)
            {
                var sessions = new Dictionary<string, List<(long Start, long End, long Count, long Sum)>>();
                var streamTime = long.MinValue;
                foreach (var (key, time, value) in events)
                {
                    streamTime = Math.Max(streamTime, time);
                    if (time + grace <= streamTime && time < streamTime)
                    {
                        continue;
                    }

                    var list = sessions.TryGetValue(key, out var l) ? l : sessions[key] = [];
                    var merged = (Start: time, End: time, Count: 1L, Sum: (long)value);
                    foreach (var s in list.Where(s => time >= s.Start - gap && time <= s.End + gap).ToList())
                    {
                        merged = (Math.Min(merged.Start, s.Start), Math.Max(merged.End, s.End), merged.Count + s.Count, merged.Sum + s.Sum);
                        list.Remove(s);
                    }

                    list.Add(merged);
                }

                result.AddRange(sessions.SelectMany(kv => kv.Value.Select(s => $"{kv.Key}|{Text(s.Start)}|{Text(s.End)}|{s.Count}|{s.Sum}")));
            }

            return [.. result.Order(StringComparer.Ordinal)];
        }
    }
}
