using System.Globalization;

namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// Stream–stream joins: random events for two streams (random keys, event times out of order), inserted in random batch sizes into streams of
/// 1 or 4 partitions, go through a persistent stream–stream INNER and LEFT join WITHIN an interval; each output stream
/// must equal a plain in-memory computation of the semantics, partition by partition. Stream–table joins: see
/// <see cref="StreamTableJoinsFollowEventTime"/>.
/// </summary>
/// <remarks>
/// The join task merges both inputs by event time as far as the records it has read allow, so which rows are late depends
/// on how far one input's reads ran ahead of the other's: that order is not determined by the data. The events are
/// therefore generated with no late ones: times are out of order by at most 4 seconds, each batch is written before the
/// next, and the grace period (2 minutes) exceeds what one input can run ahead (two batches of at most 40 events a second
/// apart). Without late rows the result does not depend on the merge order: every pair within the window joins, and an
/// unmatched left row is emitted padded exactly when the partition's final stream time passes its time + after + grace.
/// </remarks>
public sealed class JoinPropertyTests
{
    private const long Second = 1000;
    private const long Within = 5 * Second;
    private const long Grace = 120 * Second;
    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static TheoryData<int, int> Cases() => new() { { 1, 21 }, { 4, 22 }, { 1, 23 }, { 4, 24 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task StreamStreamJoinsEqualTheReference(int partitions, int seed)
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var random = new Random(seed);
        await connection.ExecuteAsync($"CREATE STREAM jp_l (k VARCHAR KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions={partitions})");
        await connection.ExecuteAsync($"CREATE STREAM jp_r (k VARCHAR KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions={partitions})");
        await connection.ExecuteAsync("CREATE STREAM jp_inner AS SELECT l.k AS k, l.v AS lv, r.v AS rv FROM jp_l l JOIN jp_r r WITHIN 5 SECONDS GRACE PERIOD 2 MINUTES ON l.k = r.k");
        await connection.ExecuteAsync("CREATE STREAM jp_left AS SELECT l.k AS k, l.v AS lv, r.v AS rv FROM jp_l l LEFT JOIN jp_r r WITHIN 5 SECONDS GRACE PERIOD 2 MINUTES ON l.k = r.k");

        // Event i happens at i seconds, up to 4 s early, on a random side; its value is i (so output rows are identifiable).
        var events = new List<(bool Left, string Key, long Time, int Value)>();
        for (var i = 0; i < 600; i++)
        {
            var time = Math.Max(0, (i * Second) - (random.Next(5) * Second));
            events.Add((random.Next(2) == 0, "k" + random.Next(10), time, i));
        }

        for (var start = 0; start < events.Count;)
        {
            var count = Math.Min(random.Next(1, 41), events.Count - start);
            var batch = events.GetRange(start, count);
            var sides = random.Next(2) == 0 ? new[] { true, false } : [false, true];
            foreach (var left in sides)
            {
                var rows = batch.Where(e => e.Left == left).Select(e => $"('{e.Key}', '{Text(e.Time)}', {e.Value})").ToList();
                if (rows.Count > 0)
                {
                    await connection.ExecuteAsync($"INSERT INTO {(left ? "jp_l" : "jp_r")} VALUES {string.Join(", ", rows)}");
                }
            }

            start += count;
        }

        await connection.ExecuteAsync("FLUSH");

        // Where each event landed (both streams are keyed by k, so a key's rows of both sides share a partition).
        var landed = new List<(bool Left, string Key, long Time, int Value, int Partition)>();
        foreach (var (stream, left) in new[] { ("jp_l", true), ("jp_r", false) })
        {
            landed.AddRange((await connection.RowsAsync($"SELECT k, ts::text, v, rowpartition FROM {stream}"))
                .Select(r => r.Split('|'))
                .Select(f => (left, f[0], Millis(f[1]), int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture))));
        }

        Assert.Equal(events.Count, landed.Count);
        var (inner, leftJoin) = Reference(landed);
        var innerOutput = (await connection.RowsAsync("SELECT k, lv, rv FROM jp_inner")).Order(StringComparer.Ordinal).ToList();
        var leftOutput = (await connection.RowsAsync("SELECT k, lv, rv FROM jp_left")).Order(StringComparer.Ordinal).ToList();
        Assert.True(inner.Count > 50, $"only {inner.Count} joined rows");
        Assert.True(leftJoin.Count(r => r.EndsWith("|NULL", StringComparison.Ordinal)) > 10, "too few padded rows");
        Assert.Equal(inner, innerOutput);
        Assert.Equal(leftJoin, leftOutput);
    }

    /// <summary>Table partitions, seed, clicks out of order, stream partitions (another count than the table's: repartitioned).</summary>
    public static TheoryData<int, int, bool, int> StreamTableCases() => new()
    {
        { 1, 31, false, 1 }, { 4, 32, false, 4 }, { 1, 33, false, 1 }, { 4, 34, false, 4 }, { 1, 35, true, 1 }, { 4, 36, true, 4 },
        { 4, 37, true, 3 }, { 2, 38, false, 5 },
    };

    /// <summary>
    /// Random clicks and table updates (random keys, table times in order, many ties between the two; clicks in order or,
    /// with outOfOrderClicks, up to 20 s early) are all written first; then persistent stream–table INNER and LEFT joins
    /// read them. Each click must be joined with the table row of its key as of its event time: the last update at or
    /// before it (the table first on a tie). With another partition count than the table's, the clicks are re-keyed
    /// through an internal topic first (which mixes their order).
    /// </summary>
    /// <remarks>
    /// The join merges its inputs in event-time order as the records come in each partition's offset order, and the table
    /// keeps each key's earlier versions, so a click read after later table changes still finds its version. With
    /// everything written before the query starts, every record is available and the result is determined.
    /// </remarks>
    [Theory]
    [MemberData(nameof(StreamTableCases))]
    public async Task StreamTableJoinsFollowEventTime(int partitions, int seed, bool outOfOrderClicks, int streamPartitions)
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var random = new Random(seed);
        await connection.ExecuteAsync($"CREATE TABLE jpt_t (k VARCHAR PRIMARY KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions={partitions})");
        await connection.ExecuteAsync($"CREATE STREAM jpt_s (k VARCHAR KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions={streamPartitions})");

        // Event i happens at i / 2 seconds (pairs tie), on a random side: a table update (value 1000 + i) or a click (value i).
        var events = new List<(bool Table, string Key, long Time, int Value)>();
        for (var i = 0; i < 800; i++)
        {
            var table = random.Next(3) == 0;
            var time = i / 2 * Second;
            if (!table && outOfOrderClicks)
            {
                time = Math.Max(0, time - random.Next(21) * Second);
            }

            events.Add((table, "k" + random.Next(8), time, table ? 1000 + i : i));
        }

        for (var start = 0; start < events.Count;)
        {
            var count = Math.Min(random.Next(1, 61), events.Count - start);
            var batch = events.GetRange(start, count);
            var sides = random.Next(2) == 0 ? new[] { true, false } : [false, true];
            foreach (var table in sides)
            {
                var rows = batch.Where(e => e.Table == table).Select(e => $"('{e.Key}', '{Text(e.Time)}', {e.Value})").ToList();
                if (rows.Count > 0)
                {
                    await connection.ExecuteAsync($"INSERT INTO {(table ? "jpt_t" : "jpt_s")} VALUES {string.Join(", ", rows)}");
                }
            }

            start += count;
        }

        await connection.ExecuteAsync("CREATE STREAM jpt_inner AS SELECT s.k AS k, s.v AS sv, t.v AS tv FROM jpt_s s JOIN jpt_t t ON s.k = t.k");
        await connection.ExecuteAsync("CREATE STREAM jpt_left AS SELECT s.k AS k, s.v AS sv, t.v AS tv FROM jpt_s s LEFT JOIN jpt_t t ON s.k = t.k");
        await connection.ExecuteAsync("FLUSH");

        var inner = new List<string>();
        var left = new List<string>();
        foreach (var click in events.Where(e => !e.Table))
        {
            // Table times never go back, so the last such update in event order is the latest at or before the click.
            var current = events.LastOrDefault(e => e.Table && e.Key == click.Key && e.Time <= click.Time);
            var row = current.Key is null ? $"{click.Key}|{click.Value}|NULL" : $"{click.Key}|{click.Value}|{current.Value}";
            left.Add(row);
            if (current.Key is not null)
            {
                inner.Add(row);
            }
        }

        inner.Sort(StringComparer.Ordinal);
        left.Sort(StringComparer.Ordinal);
        Assert.True(inner.Count > 300 && left.Count - inner.Count > 3, $"{inner.Count} joined of {left.Count} clicks");
        Assert.Equal(inner, (await connection.RowsAsync("SELECT k, sv, tv FROM jpt_inner")).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(left, (await connection.RowsAsync("SELECT k, sv, tv FROM jpt_left")).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// The semantics, computed plainly: a left row at t joins each right row of its key and partition at [t - 5 s, t + 5 s];
    /// LEFT also emits an unmatched left row padded when the partition's stream time (its largest event time, both inputs)
    /// has passed t + 5 s + grace.
    /// </summary>
    private static (List<string> Inner, List<string> Left) Reference(List<(bool Left, string Key, long Time, int Value, int Partition)> events)
    {
        var inner = new List<string>();
        var left = new List<string>();
        foreach (var partition in events.GroupBy(e => e.Partition))
        {
            var streamTime = partition.Max(e => e.Time);
            var rights = partition.Where(e => !e.Left).ToList();
            foreach (var l in partition.Where(e => e.Left))
            {
                var matches = rights.Where(r => r.Key == l.Key && r.Time >= l.Time - Within && r.Time <= l.Time + Within).Select(r => $"{l.Key}|{l.Value}|{r.Value}").ToList();
                inner.AddRange(matches);
                left.AddRange(matches);
                if (matches.Count == 0 && l.Time + Within < streamTime - Grace)
                {
                    left.Add($"{l.Key}|{l.Value}|NULL");
                }
            }
        }

        return ([.. inner.Order(StringComparer.Ordinal)], [.. left.Order(StringComparer.Ordinal)]);
    }

    private static string Text(long millis) => Epoch.AddMilliseconds(millis).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static long Millis(string text) =>
        (long)(DateTime.SpecifyKind(DateTime.ParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), DateTimeKind.Utc) - Epoch).TotalMilliseconds;
}
