namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// The crash a kill -9 test hits only by chance: a join batch's output has been appended but its offsets were not
/// committed. Simulated exactly: after a stop, both inputs' committed offsets are put back to where the last batch's
/// output intent says it started (and, for a table join, its checkpoints removed). The restart must replay that batch and
/// find all its output already there: nothing is written twice.
/// </summary>
public sealed class JoinExactlyOnceTests
{
    [Fact]
    public async Task AStreamJoinBatchWhoseOutputLandedIsNotWrittenAgain()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM eo_l (k INT KEY, v INT) WITH (partitions=1)");
            await connection.ExecuteAsync("CREATE STREAM eo_r (k INT KEY, v INT) WITH (partitions=1)");
            await connection.ExecuteAsync("CREATE STREAM eo_j AS SELECT l.k, l.v AS lv, r.v AS rv FROM eo_l l JOIN eo_r r WITHIN 1 HOUR ON l.k = r.k");
            await connection.ExecuteAsync("INSERT INTO eo_l VALUES " + string.Join(", ", Enumerable.Range(0, 20).Select(i => $"({i % 5}, {i})")));
            await connection.ExecuteAsync("FLUSH");
            await connection.ExecuteAsync("INSERT INTO eo_r VALUES " + string.Join(", ", Enumerable.Range(0, 10).Select(i => $"({i % 5}, {100 + i})")));
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["40"], await connection.RowsAsync("SELECT count(*) FROM eo_j"));
        }

        await server.Server.DisposeAsync();
        var (leftStart, rightStart) = RewindToLastIntent(server.DataDirectory, "csas_eo_j_");
        Assert.Equal((20L, 0L), (leftStart, rightStart));

        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["40"], await connection.RowsAsync("SELECT count(*) FROM eo_j"));
            Assert.Equal((await connection.RowsAsync("SELECT l.k, l.v, r.v FROM eo_l l JOIN eo_r r WITHIN 1 HOUR ON l.k = r.k")).Order(),
                (await connection.RowsAsync("SELECT k, lv, rv FROM eo_j")).Order());
        }
    }

    [Fact]
    public async Task AStreamTableJoinBatchWhoseOutputLandedIsNotWrittenAgain()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE eo_st (id INT PRIMARY KEY, name VARCHAR, ts TIMESTAMP) WITH (timestamp='ts', partitions=1)");
            await connection.ExecuteAsync("CREATE STREAM eo_ss (k INT KEY, v INT, ts TIMESTAMP) WITH (timestamp='ts', partitions=1)");
            await connection.ExecuteAsync("CREATE STREAM eo_sj AS SELECT s.k, s.v, t.name FROM eo_ss s LEFT JOIN eo_st t ON s.k = t.id");
            await connection.ExecuteAsync("INSERT INTO eo_st VALUES " + string.Join(", ", Enumerable.Range(0, 5).Select(i => $"({i}, 'n{i}', '2026-01-01 00:00:00')")));
            await connection.ExecuteAsync("FLUSH");

            // Clicks at 1 h, then a rename at 0:30 that arrives after them (it changes nothing already joined).
            await connection.ExecuteAsync("INSERT INTO eo_ss VALUES " + string.Join(", ", Enumerable.Range(0, 20).Select(i => $"({i % 6}, {i}, '2026-01-01 01:00:00')")));
            await connection.ExecuteAsync("FLUSH");
            await connection.ExecuteAsync("INSERT INTO eo_st VALUES (0, 'renamed', '2026-01-01 00:30:00')");
            await connection.ExecuteAsync("FLUSH");
            await connection.ExecuteAsync("INSERT INTO eo_ss VALUES (0, 100, '2026-01-01 02:00:00'), (1, 101, '2026-01-01 02:00:00')");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["22"], await connection.RowsAsync("SELECT count(*) FROM eo_sj"));
        }

        await server.Server.DisposeAsync();
        var (streamStart, tableStart) = RewindToLastIntent(server.DataDirectory, "csas_eo_sj_");
        Assert.Equal((20L, 6L), (streamStart, tableStart));

        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["22"], await connection.RowsAsync("SELECT count(*) FROM eo_sj"));
            Assert.Equal(["0|0|n0", "5|5|NULL", "0|100|renamed", "1|101|n1"],
                await connection.RowsAsync("SELECT k, v, name FROM eo_sj WHERE v IN (0, 5, 100, 101) ORDER BY v"));
        }
    }

    [Fact]
    public async Task ATableJoinBatchWhoseOutputLandedIsNotWrittenAgain()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE eo_ta (id INT PRIMARY KEY, name VARCHAR) WITH (partitions=1)");
            await connection.ExecuteAsync("CREATE TABLE eo_tb (id INT PRIMARY KEY, score INT) WITH (partitions=1)");
            await connection.ExecuteAsync("CREATE TABLE eo_tj AS SELECT a.id, a.name, b.score FROM eo_ta a JOIN eo_tb b ON a.id = b.id");

            // The join's changelog read as a stream: one row per upsert it wrote (tombstones are not rows).
            await connection.ExecuteAsync("CREATE STREAM eo_tj_log (id INT KEY, name VARCHAR, score INT) WITH (kafka_topic='eo_tj', value_format='JSON')");
            await connection.ExecuteAsync("INSERT INTO eo_ta VALUES " + string.Join(", ", Enumerable.Range(0, 10).Select(i => $"({i}, 'n{i}')")));
            await connection.ExecuteAsync("FLUSH");
            await connection.ExecuteAsync("INSERT INTO eo_tb VALUES " + string.Join(", ", Enumerable.Range(0, 6).Select(i => $"({i}, {i * 10})")));
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["6"], await connection.RowsAsync("SELECT count(*) FROM eo_tj_log"));
        }

        await server.Server.DisposeAsync();
        var (leftStart, rightStart) = RewindToLastIntent(server.DataDirectory, "ctas_eo_tj_");
        Assert.Equal((10L, 0L), (leftStart, rightStart));

        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["6"], await connection.RowsAsync("SELECT count(*) FROM eo_tj_log"));
            Assert.Equal(["5|n5|50"], await connection.RowsAsync("SELECT * FROM eo_tj WHERE id = 5"));
            Assert.Equal(["6"], await connection.RowsAsync("SELECT count(*) FROM eo_tj"));
        }
    }

    /// <summary>Puts a one-partition join's committed offsets back to the start of its last batch (and drops its checkpoints); returns both starts.</summary>
    private static (long Left, long Right) RewindToLastIntent(string dataDirectory, string queryPrefix)
    {
        var directory = Directory.GetDirectories(Path.Combine(dataDirectory, "queries"), queryPrefix + "*").Single();
        var offsets = new Runtime.Queries.OffsetStore(directory);
        var join = offsets.LoadIntent()!.Join!;
        Assert.Equal(1, join.RightPartition);
        offsets.Save(0, join.LeftStart);
        offsets.Save(1, join.RightStart);
        foreach (var checkpoint in Directory.GetFiles(directory, "*.checkpoint*"))
        {
            File.Delete(checkpoint);
        }

        return (join.LeftStart, join.RightStart);
    }
}
