using System.Net.Http;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Stateful persistent queries: late records are counted and visible, state is reported, and results survive restarts.</summary>
public sealed class StatefulQueryTests
{
    [Fact]
    public async Task LateRecordsAndStateShowInDescribeExtendedAndMetrics()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Server.HttpPort}") };
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM late_src (k VARCHAR, ts TIMESTAMP) WITH (timestamp='ts', partitions=1)");
        await connection.ExecuteAsync(
            "CREATE TABLE late_counts AS SELECT k, count(*) AS n FROM late_src WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 0 SECONDS) GROUP BY k");
        // 10:00:30 comes after stream time reached 10:02:00: its window [10:00, 10:01) is closed.
        await connection.ExecuteAsync(
            "INSERT INTO late_src VALUES ('a', '2026-01-01 10:00:10'), ('a', '2026-01-01 10:02:00'), ('a', '2026-01-01 10:00:30'), ('b', '2026-01-01 10:02:30')");
        await connection.ExecuteAsync("FLUSH");

        var describe = await connection.RowsAsync("DESCRIBE EXTENDED late_counts");
        Assert.Contains("(late records)|1|", describe);
        // Only the open windows [10:02, 10:03) of a and b remain in state, with the stream time.
        Assert.Contains("(state entries)|3|", describe);
        Assert.Equal(["a|2026-01-01 10:00:00|1", "a|2026-01-01 10:02:00|1", "b|2026-01-01 10:02:00|1"],
            (await connection.RowsAsync("SELECT k, window_start::text, n FROM late_counts")).Order());

        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("streamsql_query_late_records_total{query_id=\"ctas_late_counts_1\"} 1", metrics);
        Assert.Contains("streamsql_query_state_entries{query_id=\"ctas_late_counts_1\"} 3", metrics);
        Assert.Equal(["late_counts|late_counts|k, window_start, window_end|JSON|1|3"], await connection.RowsAsync("SHOW TABLES"));
    }

    [Fact]
    public async Task ADerivedTableMaterializesAtItsFirstReaderWithEveryRow()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM lz_src (k VARCHAR KEY, v INT) WITH (partitions=2)");
        await connection.ExecuteAsync("CREATE TABLE lz_sums AS SELECT k, sum(v) AS s FROM lz_src GROUP BY k");
        await connection.ExecuteAsync("CREATE TABLE lz_counts AS SELECT k, count(*) AS n FROM lz_src GROUP BY k");
        await connection.ExecuteAsync("INSERT INTO lz_src VALUES ('a', 1), ('b', 2), ('a', 3)");
        await connection.ExecuteAsync("FLUSH");

        // Nothing has read the tables: their queries ran and wrote the changelogs, but no materialization has started.
        Assert.Contains("(materialization)|starts with the first query that reads the table|", await connection.RowsAsync("DESCRIBE EXTENDED lz_sums"));
        Assert.Contains("(materialization)|starts with the first query that reads the table|", await connection.RowsAsync("DESCRIBE EXTENDED lz_counts"));
        Assert.Equal(["lz_counts|lz_counts|k|JSON|2|", "lz_sums|lz_sums|k|JSON|2|"], (await connection.RowsAsync("SHOW TABLES")).Order(StringComparer.Ordinal));

        // A pull query as the first reader waits for every row.
        Assert.Equal(["a|4", "b|2"], (await connection.RowsAsync("SELECT * FROM lz_sums")).Order());
        Assert.Contains("(materialization replayed at start)|", string.Join("\n", await connection.RowsAsync("DESCRIBE EXTENDED lz_sums")));

        // So does a push query: it starts with the rows as of then, not with an empty table filling up.
        Assert.Equal(["a|2|insert", "b|1|insert"], (await connection.RowsAsync("SELECT k, n FROM lz_counts EMIT CHANGES LIMIT 2")).Order());

        // Once started, the materialization follows the changelog.
        await connection.ExecuteAsync("INSERT INTO lz_src VALUES ('b', 10)");
        await connection.ExecuteAsync("FLUSH");
        Assert.Equal(["a|4", "b|12"], (await connection.RowsAsync("SELECT * FROM lz_sums")).Order());
        Assert.Equal(["a|2", "b|2"], (await connection.RowsAsync("SELECT * FROM lz_counts")).Order());
        Assert.Equal(["lz_counts|lz_counts|k|JSON|2|2", "lz_sums|lz_sums|k|JSON|2|2"], (await connection.RowsAsync("SHOW TABLES")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AggregationsRebuildTheirStateAfterARestartWithoutDoubleCounting()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM rs_views (user_id VARCHAR KEY, page VARCHAR) WITH (partitions=3)");
            await connection.ExecuteAsync("CREATE TABLE rs_counts AS SELECT page, count(*) AS n FROM rs_views GROUP BY page");
            await connection.ExecuteAsync("CREATE TABLE rs_users (id VARCHAR PRIMARY KEY, tier VARCHAR) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE MATERIALIZED VIEW rs_tiers AS SELECT tier, count(*) AS n FROM rs_users GROUP BY tier");
            await connection.ExecuteAsync("INSERT INTO rs_views VALUES ('u1', 'home'), ('u2', 'home'), ('u3', 'cart'), ('u4', 'home')");
            await connection.ExecuteAsync("INSERT INTO rs_users VALUES ('u1', 'gold'), ('u2', 'free'), ('u3', 'free')");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["cart|1", "home|3"], (await connection.RowsAsync("SELECT * FROM rs_counts")).Order());
            Assert.Equal(["free|2", "gold|1"], (await connection.RowsAsync("SELECT * FROM rs_tiers")).Order());
        }

        await server.RestartAsync();

        await using (var connection = await server.ConnectAsync())
        {
            // The tables are back before anything new arrives, and new input adds to the rebuilt state.
            Assert.Equal(["cart|1", "home|3"], (await connection.RowsAsync("SELECT * FROM rs_counts")).Order());
            await connection.ExecuteAsync("INSERT INTO rs_views VALUES ('u5', 'cart'), ('u1', 'pay')");
            await connection.ExecuteAsync("UPDATE rs_users SET tier = 'gold' WHERE id = 'u2'");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["cart|2", "home|3", "pay|1"], (await connection.RowsAsync("SELECT * FROM rs_counts")).Order());
            Assert.Equal(["free|1", "gold|2"], (await connection.RowsAsync("SELECT * FROM rs_tiers")).Order());
            Assert.Equal(["3"], await connection.RowsAsync("SELECT n FROM rs_counts WHERE page = 'home'"));
        }
    }

    [Fact]
    public async Task AGracefulRestartResumesFromTheFinalCheckpointAndACorruptCheckpointFallsBackToReplay()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM cp_src (k VARCHAR KEY, v INT) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE TABLE cp_sums AS SELECT k, count(*) AS n, sum(v) AS s FROM cp_src GROUP BY k");
            await connection.ExecuteAsync("INSERT INTO cp_src VALUES " + string.Join(", ", Enumerable.Range(0, 300).Select(i => $"('k{i % 10}', {i})")));
            await connection.ExecuteAsync("FLUSH");
            // The first query that reads the table starts its materialization.
            Assert.Equal(["k1|30|4380"], await connection.RowsAsync("SELECT * FROM cp_sums WHERE k = 'k1'"));
        }

        // A graceful stop checkpoints every partition at its committed offset: nothing is replayed at start.
        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            var describe = await connection.RowsAsync("DESCRIBE EXTENDED cp_sums");
            Assert.Contains("(replayed at start)|0|", describe);

            // The table's materialization (what pull queries read) is restored from its own checkpoints too, at its first use.
            Assert.Contains("(materialization)|starts with the first query that reads the table|", describe);
            Assert.Equal(["k1|30|4380"], await connection.RowsAsync("SELECT * FROM cp_sums WHERE k = 'k1'"));
            Assert.Contains("(materialization replayed at start)|0|", await connection.RowsAsync("DESCRIBE EXTENDED cp_sums"));
            await connection.ExecuteAsync("INSERT INTO cp_src VALUES ('k1', 1000)");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["k1|31|5380"], await connection.RowsAsync("SELECT * FROM cp_sums WHERE k = 'k1'"));
        }

        await server.Server.DisposeAsync();
        var manifests = Directory.GetFiles(Path.Combine(server.DataDirectory, "queries", "ctas_cp_sums_1"), "*.checkpoint*");
        Assert.NotEmpty(manifests);
        foreach (var manifest in manifests)
        {
            // A torn write: the checksum no longer matches.
            File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("offset ", "offset 1", StringComparison.Ordinal));
        }

        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            // Both manifests are rejected, so every partition replays its whole input: same results, nothing doubled.
            await connection.ExecuteAsync("FLUSH");
            Assert.Contains("(replayed at start)|301|", await connection.RowsAsync("DESCRIBE EXTENDED cp_sums"));
            Assert.Equal(["k1|31|5380"], await connection.RowsAsync("SELECT * FROM cp_sums WHERE k = 'k1'"));
            await connection.ExecuteAsync("INSERT INTO cp_src VALUES ('k1', 1)");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["k1|32|5381"], await connection.RowsAsync("SELECT * FROM cp_sums WHERE k = 'k1'"));
        }
    }

    [Fact]
    public async Task ATopNRanksNewRowsAgainstTheRowsItRestoredAfterARestart()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            // Two partitions without a key: the bids of an auction meet in one task through the repartition topic.
            await connection.ExecuteAsync("CREATE STREAM tn_bids (auction INT, bidder VARCHAR, price INT) WITH (partitions=2)");
            await connection.ExecuteAsync(
                "CREATE TABLE tn_top2 AS SELECT auction, bidder, price, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM tn_bids) t WHERE rn <= 2");
            await connection.ExecuteAsync("INSERT INTO tn_bids VALUES (1, 'a', 10), (1, 'b', 30), (2, 'c', 5), (1, 'd', 20)");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["1|b|30|1", "1|d|20|2", "2|c|5|1"], (await connection.RowsAsync("SELECT * FROM tn_top2")).Order());
        }

        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            // The table is back before new input; new bids rank against the restored top 2 (a lost state would rank them alone).
            Assert.Equal(["1|b|30|1", "1|d|20|2", "2|c|5|1"], (await connection.RowsAsync("SELECT * FROM tn_top2")).Order());
            await connection.ExecuteAsync("FLUSH");
            var describe = await connection.RowsAsync("DESCRIBE EXTENDED tn_top2");
            Assert.Contains("(replayed at start)|0|", describe);
            Assert.Contains("(state entries)|2|", describe);
            await connection.ExecuteAsync("INSERT INTO tn_bids VALUES (1, 'e', 25), (2, 'f', 1), (2, 'g', 9)");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["1|b|30|1", "1|e|25|2", "2|c|5|2", "2|g|9|1"], (await connection.RowsAsync("SELECT * FROM tn_top2")).Order());
            Assert.Equal(["e"], await connection.RowsAsync("SELECT bidder FROM tn_top2 WHERE auction = 1 AND rn = 2"));
            await connection.ExecuteAsync("DROP TABLE tn_top2");
            Assert.Empty(await connection.RowsAsync("SHOW TABLES"));
        }
    }

    [Fact]
    public async Task AGroupKeyThatStartsWithTheStreamKeyIsCountedWhereTheStreamPutItsRows()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM ck_visits (user_id BIGINT KEY, page VARCHAR, ts TIMESTAMP) WITH (timestamp='ts', partitions=4)");
        // The composite key id '@' minute determines the id, so each group's rows are in one partition already.
        await connection.ExecuteAsync(
            "CREATE TABLE ck_per_minute AS SELECT CAST(user_id AS VARCHAR) || '@' || CAST(date_trunc('minute', ts) AS VARCHAR) AS k, count(*) AS n " +
            "FROM ck_visits GROUP BY CAST(user_id AS VARCHAR) || '@' || CAST(date_trunc('minute', ts) AS VARCHAR)");
        // Without a separator '1' || '23' and '12' || '3' would be one group from two partitions: that one is repartitioned.
        await connection.ExecuteAsync("CREATE TABLE ck_glued AS SELECT CAST(user_id AS VARCHAR) || page AS k, count(*) AS n FROM ck_visits GROUP BY CAST(user_id AS VARCHAR) || page");
        await connection.ExecuteAsync(
            "INSERT INTO ck_visits VALUES (1, '23', '2026-01-01 10:00:05'), (12, '3', '2026-01-01 10:00:30'), (1, 'x', '2026-01-01 10:00:40'), " +
            "(1, 'x', '2026-01-01 10:01:00'), (7, 'y', '2026-01-01 10:00:01'), (12, 'z', '2026-01-01 10:01:59')");
        await connection.ExecuteAsync("FLUSH");

        Assert.Equal(
            ["12@2026-01-01 10:00:00|1", "12@2026-01-01 10:01:00|1", "1@2026-01-01 10:00:00|2", "1@2026-01-01 10:01:00|1", "7@2026-01-01 10:00:00|1"],
            (await connection.RowsAsync("SELECT * FROM ck_per_minute")).Order(StringComparer.Ordinal));
        Assert.Equal(["123|2", "12z|1", "1x|2", "7y|1"], (await connection.RowsAsync("SELECT * FROM ck_glued")).Order(StringComparer.Ordinal));
        var stages = Directory.GetDirectories(Path.Combine(server.DataDirectory, "queries")).Select(Path.GetFileName).ToList();
        Assert.Contains(stages, s => s!.StartsWith("ctas_ck_glued_", StringComparison.Ordinal) && s.EndsWith("_repartition", StringComparison.Ordinal));
        Assert.DoesNotContain(stages, s => s!.StartsWith("ctas_ck_per_minute_", StringComparison.Ordinal) && s.EndsWith("_repartition", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WindowRetentionStillAppliesToRowsRestoredAfterARestart()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM rr_src (k VARCHAR KEY, ts TIMESTAMP) WITH (timestamp='ts', partitions=1)");
            await connection.ExecuteAsync("CREATE TABLE rr_counts AS SELECT k, windowstart, count(*) AS n FROM rr_src WINDOW TUMBLING (SIZE 1 MINUTE, RETENTION 2 MINUTES) GROUP BY k");
            await connection.ExecuteAsync("INSERT INTO rr_src VALUES ('a', '2026-01-01 00:00:10'), ('a', '2026-01-01 00:01:10')");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["2"], await connection.RowsAsync("SELECT count(*) FROM rr_counts"));
        }

        // The table is restored from its checkpoint: its rows' windows must still expire when later windows arrive.
        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["2"], await connection.RowsAsync("SELECT count(*) FROM rr_counts"));
            Assert.Contains("(materialization replayed at start)|0|", await connection.RowsAsync("DESCRIBE EXTENDED rr_counts"));
            await connection.ExecuteAsync("INSERT INTO rr_src VALUES ('a', '2026-01-01 00:09:10')");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["a|2026-01-01 00:09:00|1"], await connection.RowsAsync("SELECT k, windowstart::text, n FROM rr_counts"));
        }
    }

    [Fact]
    public async Task AStreamJoinRestoresItsStateFromTheCheckpointWithBothInputOffsets()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM cpj_l (k INT KEY, v INT) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE STREAM cpj_r (k INT KEY, v INT) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE STREAM cpj_out AS SELECT l.k, l.v AS lv, r.v AS rv FROM cpj_l l LEFT JOIN cpj_r r WITHIN 1 HOUR ON l.k = r.k");
            await connection.ExecuteAsync("INSERT INTO cpj_l VALUES " + string.Join(", ", Enumerable.Range(0, 40).Select(i => $"({i % 8}, {i})")));
            await connection.ExecuteAsync("INSERT INTO cpj_r VALUES " + string.Join(", ", Enumerable.Range(0, 4).Select(i => $"({i}, {100 + i})")));
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["20"], await connection.RowsAsync("SELECT count(*) FROM cpj_out"));
        }

        // The graceful stop checkpoints the join state with both inputs' offsets: the restart replays nothing, and rows
        // arriving after it still join the buffered rows from before it (keys 4..7 had no partner yet).
        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Contains("(replayed at start)|0|", await connection.RowsAsync("DESCRIBE EXTENDED cpj_out"));
            await connection.ExecuteAsync("INSERT INTO cpj_r VALUES (4, 104), (5, 105)");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["30"], await connection.RowsAsync("SELECT count(*) FROM cpj_out"));
            Assert.Equal((await connection.RowsAsync("SELECT l.k, l.v, r.v FROM cpj_l l JOIN cpj_r r WITHIN 1 HOUR ON l.k = r.k")).Order(),
                (await connection.RowsAsync("SELECT k, lv, rv FROM cpj_out")).Order());
        }
    }

    [Fact]
    public async Task APersistentTableJoinRestoresBothSidesFromCheckpointsOrByReplay()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE tjcp_a (id INT PRIMARY KEY, name VARCHAR) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE TABLE tjcp_b (id INT PRIMARY KEY, score INT) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE TABLE tjcp_j AS SELECT a.id, a.name, b.score FROM tjcp_a a LEFT JOIN tjcp_b b ON a.id = b.id");
            await connection.ExecuteAsync("INSERT INTO tjcp_a VALUES " + string.Join(", ", Enumerable.Range(0, 100).Select(i => $"({i}, 'n{i}')")));
            await connection.ExecuteAsync("INSERT INTO tjcp_b VALUES " + string.Join(", ", Enumerable.Range(0, 50).Select(i => $"({i * 2}, {i})")));
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["4|n4|2"], await connection.RowsAsync("SELECT * FROM tjcp_j WHERE id = 4"));
        }

        // A graceful stop checkpoints both sides: nothing is replayed, and the restored rows of both tables still join.
        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Contains("(replayed at start)|0|", await connection.RowsAsync("DESCRIBE EXTENDED tjcp_j"));
            await connection.ExecuteAsync("INSERT INTO tjcp_b VALUES (5, 500)");
            await connection.ExecuteAsync("INSERT INTO tjcp_a VALUES (4, 'four')");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["4|four|2", "5|n5|500"], (await connection.RowsAsync("SELECT * FROM tjcp_j WHERE id IN (4, 5)")).Order());
            Assert.Equal(["100"], await connection.RowsAsync("SELECT count(*) FROM tjcp_j"));
        }

        await server.Server.DisposeAsync();
        foreach (var manifest in Directory.GetFiles(Path.Combine(server.DataDirectory, "queries", "ctas_tjcp_j_1"), "*.checkpoint*"))
        {
            File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("offset ", "offset 1", StringComparison.Ordinal));
        }

        // Without usable checkpoints both sides replay their whole changelogs: the same rows, nothing doubled.
        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            var described = await connection.RowsAsync("DESCRIBE EXTENDED tjcp_j");
            Assert.True(described.Contains("(replayed at start)|152|"), string.Join("\n", described));
            await connection.ExecuteAsync("DELETE FROM tjcp_b WHERE id = 4");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["4|four|NULL", "5|n5|500"], (await connection.RowsAsync("SELECT * FROM tjcp_j WHERE id IN (4, 5)")).Order());
            Assert.Equal(["100"], await connection.RowsAsync("SELECT count(*) FROM tjcp_j"));
        }
    }

    [Fact]
    public async Task AStreamTableJoinRestoresItsTableRowsFromTheCheckpoint()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE stc_users (id VARCHAR PRIMARY KEY, region VARCHAR, ts TIMESTAMP) WITH (timestamp='ts', partitions=2)");
            await connection.ExecuteAsync("CREATE STREAM stc_clicks (user_id VARCHAR KEY, n INT, ts TIMESTAMP) WITH (timestamp='ts', partitions=2)");
            await connection.ExecuteAsync("CREATE STREAM stc_out AS SELECT c.n, u.region FROM stc_clicks c LEFT JOIN stc_users u ON c.user_id = u.id");
            await connection.ExecuteAsync("INSERT INTO stc_users VALUES " + string.Join(", ", Enumerable.Range(0, 50).Select(i => $"('u{i}', 'r{i}', '2026-01-01 09:00:00')")));
            await connection.ExecuteAsync("INSERT INTO stc_users VALUES ('u1', 'moved', '2026-01-01 10:05:00')");
            await connection.ExecuteAsync("INSERT INTO stc_clicks VALUES ('u1', 1, '2026-01-01 10:10:00'), ('u2', 2, '2026-01-01 10:00:00')");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["1|moved", "2|r2"], (await connection.RowsAsync("SELECT n, region FROM stc_out")).Order());
        }

        // The graceful stop checkpoints the table rows (every version) with the changelog offset: nothing is replayed,
        // and a click after the restart — even one older than u1's move — finds the row its key had at its time.
        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Contains("(replayed at start)|0|", await connection.RowsAsync("DESCRIBE EXTENDED stc_out"));
            await connection.ExecuteAsync("INSERT INTO stc_clicks VALUES ('u1', 3, '2026-01-01 10:01:00'), ('u3', 4, '2026-01-01 10:20:00'), ('u99', 5, '2026-01-01 10:20:00')");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["1|moved", "2|r2", "3|r1", "4|r3", "5|NULL"], (await connection.RowsAsync("SELECT n, region FROM stc_out")).Order());
        }

        await server.Server.DisposeAsync();
        var directory = Directory.GetDirectories(Path.Combine(server.DataDirectory, "queries"), "csas_stc_out_*").Single();
        foreach (var manifest in Directory.GetFiles(directory, "*.checkpoint*"))
        {
            File.Delete(manifest);
        }

        // Without checkpoints the rows are rebuilt from the whole changelog (51 records): the same joins.
        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Contains("(replayed at start)|51|", await connection.RowsAsync("DESCRIBE EXTENDED stc_out"));
            await connection.ExecuteAsync("INSERT INTO stc_clicks VALUES ('u1', 6, '2026-01-01 10:02:00'), ('u1', 7, '2026-01-01 11:00:00')");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["1|moved", "2|r2", "3|r1", "4|r3", "5|NULL", "6|r1", "7|moved"], (await connection.RowsAsync("SELECT n, region FROM stc_out")).Order());
        }
    }

    [Fact]
    public async Task AnAggregationOverAStreamTableJoinRebuildsFromTheRecordedJoinNotTodaysTable()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE ajr_users (id VARCHAR PRIMARY KEY, region VARCHAR) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE STREAM ajr_clicks (user_id VARCHAR KEY, ms INT) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE TABLE ajr_counts AS SELECT u.region, count(*) AS n, sum(c.ms) AS total FROM ajr_clicks c JOIN ajr_users u ON c.user_id = u.id GROUP BY u.region");
            await connection.ExecuteAsync("INSERT INTO ajr_users VALUES ('u1', 'eu'), ('u2', 'us')");
            await connection.ExecuteAsync("FLUSH");
            await connection.ExecuteAsync("INSERT INTO ajr_clicks VALUES ('u1', 1), ('u1', 2), ('u2', 3), ('u1', 4), ('u2', 5)");
            await connection.ExecuteAsync("FLUSH");

            // The users move: clicks already counted stay where they were counted.
            await connection.ExecuteAsync("INSERT INTO ajr_users VALUES ('u1', 'apac'), ('u2', 'apac')");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["eu|3|7", "us|2|8"], (await connection.RowsAsync("SELECT * FROM ajr_counts")).Order());
        }

        // Without checkpoints the aggregation replays its input: the recorded joined rows, not new lookups.
        await server.Server.DisposeAsync();
        var directory = Directory.GetDirectories(Path.Combine(server.DataDirectory, "queries"), "ctas_ajr_counts_*").Single(d => !d.EndsWith("_repartition", StringComparison.Ordinal));
        foreach (var manifest in Directory.GetFiles(directory, "*.checkpoint*"))
        {
            File.Delete(manifest);
        }

        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Contains("(replayed at start)|5|", await connection.RowsAsync("DESCRIBE EXTENDED ajr_counts"));
            Assert.Equal(["eu|3|7", "us|2|8"], (await connection.RowsAsync("SELECT * FROM ajr_counts")).Order());
            await connection.ExecuteAsync("INSERT INTO ajr_clicks VALUES ('u1', 10)");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["apac|1|10", "eu|3|7", "us|2|8"], (await connection.RowsAsync("SELECT * FROM ajr_counts")).Order());
        }
    }
}
