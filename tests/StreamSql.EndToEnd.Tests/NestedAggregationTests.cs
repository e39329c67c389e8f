using System.Globalization;

namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// A persistent aggregation over an aggregation (a subquery in FROM): the inner one sends each group's old row before its
/// new one and the outer one takes the old values back out; in one pipeline over one partition, in two stages (the inner
/// one's changes through an internal topic keyed by the outer group) over several. Random rows in random batches; each
/// table must equal the same SELECT run as a pull query over the finished input (computed in memory by another
/// operator), also after a restart and more rows.
/// </summary>
public sealed class NestedAggregationTests
{
    private static readonly string[] Tables =
    [
        // A histogram: how many keys have n rows (count over count: wrong if the old n is not taken out).
        "SELECT n, count(*) AS keys, sum(total) AS total FROM (SELECT k, count(*) AS n, sum(v) AS total FROM na_src GROUP BY k) c GROUP BY n",
        // Inner HAVING: a key leaves the inner result at every third row (and comes back at the next), so the outer one must take its last row out.
        "SELECT n, count(*) AS keys FROM (SELECT k, count(*) AS n FROM na_src GROUP BY k HAVING count(*) % 3 <> 0) c GROUP BY n",
        // Hopping windows below (Nexmark q5's shape): the largest count per window, and how many keys have it.
        "SELECT window_start, max(n) AS maxn, min(n) AS minn, count(*) AS keys FROM (SELECT k, window_start, window_end, count(*) AS n FROM HOP(na_src, ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND) GROUP BY k, window_start, window_end) c GROUP BY window_start",
        // Inner groups not by the stream's key: over several partitions the rows are repartitioned by v % 7 first.
        "SELECT m, count(*) AS residues, sum(r) AS rsum FROM (SELECT v % 7 AS r, count(*) AS m FROM na_src GROUP BY v % 7) c GROUP BY m",
        // Only min and max above (Nexmark q5 itself): over several partitions each partition's inner stage runs the outer
        // aggregation too, and the outer one takes the min or max of those partial results.
        "SELECT window_start, max(n) AS maxn, min(n) AS minn FROM (SELECT k, window_start, window_end, count(*) AS n FROM HOP(na_src, ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND) GROUP BY k, window_start, window_end) c GROUP BY window_start",
        // The same with groups leaving the inner result (its HAVING), so partials shrink and vanish, a text min, and an outer HAVING.
        "SELECT n, max(total) AS most, min(k) AS first_key FROM (SELECT k, count(*) AS n, sum(v) AS total FROM na_src GROUP BY k HAVING count(*) % 4 <> 0) c GROUP BY n HAVING max(total) > 0",
    ];

    [Theory]
    [InlineData(false, 21, 1)]
    [InlineData(true, 22, 1)]
    [InlineData(false, 23, 3)]
    [InlineData(true, 24, 2)]
    public async Task NestedAggregationsEqualThePullQuery(bool consolidate, int seed, int partitions)
    {
        await using var server = await TestServer.StartAsync();
        var random = new Random(seed);
        var time = 0;
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync($"CREATE STREAM na_src (k VARCHAR KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions={partitions})");
            for (var t = 0; t < Tables.Length; t++)
            {
                await connection.ExecuteAsync($"CREATE TABLE na_{t} {(consolidate ? "WITH (consolidate='batch') " : "")}AS {Tables[t]}");
            }

            time = await InsertAsync(connection, random, time, 300);
            await AssertTablesAsync(connection);
        }

        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await InsertAsync(connection, random, time, 200);
            await AssertTablesAsync(connection);
        }
    }

    // Over several partitions the aggregation is a stage of its own, its changes keyed by the ranking's (empty) PARTITION BY.
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task TopNOverAnAggregationKeepsOnlyEachGroupsCurrentRow(int partitions)
    {
        await using var server = await TestServer.StartAsync();
        var random = new Random(31);
        var time = 0;
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync($"CREATE STREAM na_src (k VARCHAR KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions={partitions})");
            await connection.ExecuteAsync("CREATE TABLE na_top AS SELECT k, n, rn FROM (SELECT k, n, ROW_NUMBER() OVER (ORDER BY n DESC) AS rn FROM (SELECT k, count(*) AS n FROM na_src GROUP BY k) c) r WHERE rn <= 4");
            time = await InsertAsync(connection, random, time, 300);
            await AssertTopAsync(connection);
            if (partitions > 1)
            {
                var plan = await ExplainTableQueryAsync(server, connection, "na_top");
                Assert.Contains("Stage 1: inner aggregation, its changes keyed by the outer group key", plan);
                Assert.Contains("Stage 2: Top-N", plan);
            }
        }

        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await InsertAsync(connection, random, time, 200);
            await AssertTopAsync(connection);
        }
    }

    // The table holds 4 rows, ranks 1..4, each a key with its current count, and those counts are the 4 largest (ties rank in arrival order).
    private static async Task AssertTopAsync(Npgsql.NpgsqlConnection connection)
    {
        var counts = (await connection.RowsAsync("SELECT k, count(*) FROM na_src GROUP BY k")).Select(r => r.Split('|')).ToDictionary(r => r[0], r => long.Parse(r[1], CultureInfo.InvariantCulture));
        var top = (await connection.RowsAsync("SELECT k, n, rn FROM na_top ORDER BY rn")).Select(r => r.Split('|')).ToList();
        Assert.Equal(["1", "2", "3", "4"], top.Select(r => r[2]));
        Assert.Equal(4, top.Select(r => r[0]).Distinct().Count());
        Assert.All(top, r => Assert.Equal(counts[r[0]], long.Parse(r[1], CultureInfo.InvariantCulture)));
        Assert.Equal(counts.Values.OrderDescending().Take(4), top.Select(r => long.Parse(r[1], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task StagesAreExplainedAndDroppedWithTheTable()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM ns_src (k VARCHAR KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions=2)");
        await connection.ExecuteAsync("CREATE TABLE ns_hist AS SELECT m, count(*) AS residues FROM (SELECT v % 7 AS r, count(*) AS m FROM ns_src GROUP BY v % 7) c GROUP BY m");
        await connection.ExecuteAsync("INSERT INTO ns_src VALUES ('a', '2026-01-01 00:00:00', 1), ('b', '2026-01-01 00:00:01', 8), ('c', '2026-01-01 00:00:02', 2)");
        await connection.ExecuteAsync("FLUSH");
        // Residue 1 has two rows, residue 2 one: one residue each with m = 2 and m = 1.
        Assert.Equal(["1|1", "2|1"], await connection.RowsAsync("SELECT m, residues FROM ns_hist ORDER BY m"));

        var queries = Path.Combine(server.DataDirectory, "queries");
        var queryId = Path.GetFileName(Directory.GetDirectories(queries, "ctas_ns_hist_*").Single(d => !d.EndsWith("_repartition", StringComparison.Ordinal) && !d.EndsWith("_inner", StringComparison.Ordinal)));
        var plan = string.Join("\n", await connection.RowsAsync($"EXPLAIN ANALYZE {queryId}"));
        Assert.Contains("Stage 1: repartition by the group key", plan);
        Assert.Contains("Stage 2: inner aggregation, its changes keyed by the outer group key", plan);
        Assert.Contains("Stage 3: aggregate", plan);
        // Three inner updates: two new groups (rows) and one update (a retraction and a row).
        Assert.Contains("→ write 4 rows to the inner aggregation topic", plan);

        var topics = Path.Combine(server.DataDirectory, "topics");
        Assert.True(Directory.Exists(Path.Combine(topics, $"_streamsql_{queryId}-inner")));
        await connection.ExecuteAsync("DROP TABLE ns_hist DELETE TOPIC");
        Assert.False(Directory.Exists(Path.Combine(topics, $"_streamsql_{queryId}-inner")));
        Assert.False(Directory.Exists(Path.Combine(topics, $"_streamsql_{queryId}-repartition")));
        Assert.Empty(Directory.GetDirectories(queries, queryId + "*"));
    }

    [Fact]
    public async Task MinAndMaxAboveRunPerPartitionAndMergeThePartialResults()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM np_src (k VARCHAR KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions=3)");
        await connection.ExecuteAsync("CREATE TABLE np_hot AS SELECT window_start, max(n) AS maxn FROM (SELECT k, window_start, window_end, count(*) AS n FROM TUMBLE(np_src, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end) c GROUP BY window_start");
        var rows = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            // Key k<j> gets j + 1 rows in the first minute; the largest count is 10 (k9), whatever partition each key is in.
            var key = i switch { < 1 => 0, < 3 => 1, < 6 => 2, < 10 => 3, < 15 => 4, < 21 => 5, < 28 => 6, < 36 => 7, < 45 => 8, _ => 9 };
            rows.Add($"('k{key}', '2026-01-01 00:00:{i:00}', {i})");
        }

        await connection.ExecuteAsync("INSERT INTO np_src VALUES " + string.Join(", ", rows.Take(55)) + ", ('k3', '2026-01-01 00:01:00', 0)");
        await connection.ExecuteAsync("FLUSH");
        Assert.Equal(["2026-01-01 00:00:00|10", "2026-01-01 00:01:00|1"], await connection.RowsAsync("SELECT CAST(window_start AS VARCHAR), maxn FROM np_hot ORDER BY window_start"));

        var plan = await ExplainTableQueryAsync(server, connection, "np_hot");
        Assert.Contains("Stage 1: inner aggregation and the outer one over this partition's groups, its partial results keyed by the outer group key", plan);
        Assert.Contains("Stage 2: aggregate", plan);
    }

    [Fact]
    public async Task SessionWindowsBelowAnotherAggregationAreRefusedOverSeveralPartitions()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM nr_src (k VARCHAR KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions=2)");
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync(
            "CREATE TABLE nr_t AS SELECT n, count(*) AS sessions FROM (SELECT k, count(*) AS n FROM nr_src WINDOW SESSION (10 SECONDS) GROUP BY k) c GROUP BY n"));
        Assert.Equal("0A000", error.SqlState);
        Assert.Contains("session window", error.MessageText);
        Assert.Empty(await connection.RowsAsync("SHOW QUERIES"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(server.DataDirectory, "topics"), "_streamsql_ctas_*"));
        await server.RestartAsync();
        await using var again = await server.ConnectAsync();
        Assert.Empty(await again.RowsAsync("SHOW QUERIES"));
    }

    /// <summary>EXPLAIN ANALYZE of the query writing a table (its id is its directory's name; the stages' have suffixes).</summary>
    private static async Task<string> ExplainTableQueryAsync(TestServer server, Npgsql.NpgsqlConnection connection, string table)
    {
        var queryId = Path.GetFileName(Directory.GetDirectories(Path.Combine(server.DataDirectory, "queries"), $"ctas_{table}_*").Single(d => !d.EndsWith("_inner", StringComparison.Ordinal)));
        return string.Join("\n", await connection.RowsAsync($"EXPLAIN ANALYZE {queryId}"));
    }

    private static async Task<int> InsertAsync(Npgsql.NpgsqlConnection connection, Random random, int time, int rows)
    {
        for (var done = 0; done < rows;)
        {
            var count = Math.Min(random.Next(1, 30), rows - done);
            var values = new List<string>();
            for (var i = 0; i < count; i++)
            {
                time += random.Next(0, 800);
                var ts = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(time).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
                values.Add($"('k{random.Next(12)}', '{ts}', {random.Next(-50, 100)})");
            }

            await connection.ExecuteAsync("INSERT INTO na_src VALUES " + string.Join(", ", values));
            done += count;
        }

        await connection.ExecuteAsync("FLUSH");
        return time;
    }

    private static async Task AssertTablesAsync(Npgsql.NpgsqlConnection connection)
    {
        for (var t = 0; t < Tables.Length; t++)
        {
            var expected = (await connection.RowsAsync(Tables[t])).Order().ToList();
            Assert.True(expected.Count > 0, $"{Tables[t]}: no rows");
            var columns = Tables[t][7..Tables[t].IndexOf(" FROM (", StringComparison.Ordinal)];
            var names = string.Join(", ", columns.Split(", ").Select(c => c.Split(" AS ")[^1]));
            Assert.Equal(expected, (await connection.RowsAsync($"SELECT {names} FROM na_{t}")).Order().ToList());
        }
    }
}
