namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// consolidate='batch': an aggregation's changelog has one record per group and input batch, so its output depends on
/// where batches end. A batch interrupted after its output landed must be replayed as the same one batch: simulated by
/// putting the committed offset back to the batch's start (and dropping the checkpoints) after a stop.
/// </summary>
public sealed class ConsolidatedChangelogTests
{
    [Fact]
    public async Task AnInterruptedConsolidatedBatchIsReplayedAsOneBatchAndNotWrittenAgain()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM cc_src (k INT KEY, v INT) WITH (partitions=1)");
            await connection.ExecuteAsync("CREATE TABLE cc_sums WITH (consolidate='batch') AS SELECT k, count(*) AS n, sum(v) AS s FROM cc_src GROUP BY k");
            await connection.ExecuteAsync("CREATE STREAM cc_log (k INT KEY, n BIGINT, s BIGINT) WITH (kafka_topic='cc_sums')");
            await connection.ExecuteAsync("INSERT INTO cc_src VALUES " + string.Join(", ", Enumerable.Range(0, 10).Select(i => $"({i % 3}, {i})")));
            await connection.ExecuteAsync("FLUSH");
            await connection.ExecuteAsync("INSERT INTO cc_src VALUES " + string.Join(", ", Enumerable.Range(10, 20).Select(i => $"({i % 4}, {i})")));
            await connection.ExecuteAsync("FLUSH");

            // 3 groups in the first batch, 4 in the second: one record each, not one per row (30).
            Assert.Equal(["7"], await connection.RowsAsync("SELECT count(*) FROM cc_log"));
        }

        await server.Server.DisposeAsync();
        RewindLastBatch(server.DataDirectory, "ctas_cc_sums_");
        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["7"], await connection.RowsAsync("SELECT count(*) FROM cc_log"));
            Assert.Equal((await connection.RowsAsync("SELECT k, count(*), sum(v) FROM cc_src GROUP BY k")).Order(),
                (await connection.RowsAsync("SELECT k, n, s FROM cc_sums")).Order());
            Assert.Equal(["0|9|118", "1|8|117", "2|8|105", "3|5|95"], await connection.RowsAsync("SELECT k, n, s FROM cc_log WHERE n > 4 ORDER BY k"));
        }
    }

    [Fact]
    public async Task AnInterruptedConsolidatedSessionBatchIsReplayedAsOneBatchAndNotWrittenAgain()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM cs_src (k INT KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions=1)");
            await connection.ExecuteAsync("CREATE TABLE cs_sessions WITH (consolidate='batch') AS " +
                "SELECT k, windowstart, windowend, count(*) AS n, sum(v) AS s FROM cs_src WINDOW SESSION (30 SECONDS) GROUP BY k");
            await connection.ExecuteAsync("CREATE STREAM cs_log (k INT, windowstart TIMESTAMP, windowend TIMESTAMP, n BIGINT, s BIGINT) WITH (kafka_topic='cs_sessions')");
            // A record a second: each key's records make one session, which the second batch grows.
            await connection.ExecuteAsync("INSERT INTO cs_src VALUES " + string.Join(", ", Enumerable.Range(0, 10).Select(i => $"({i % 3}, '2026-01-01 10:00:{i:00}', {i})")));
            await connection.ExecuteAsync("FLUSH");
            await connection.ExecuteAsync("INSERT INTO cs_src VALUES " + string.Join(", ", Enumerable.Range(10, 20).Select(i => $"({i % 4}, '2026-01-01 10:00:{i:00}', {i})")));
            await connection.ExecuteAsync("FLUSH");

            // 3 sessions inserted by the first batch, 4 by the second (its deletes are tombstones, which the stream skips).
            Assert.Equal(["7"], await connection.RowsAsync("SELECT count(*) FROM cs_log"));
        }

        await server.Server.DisposeAsync();
        RewindLastBatch(server.DataDirectory, "ctas_cs_sessions_");
        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["7"], await connection.RowsAsync("SELECT count(*) FROM cs_log"));
            Assert.Equal(["0|9|118", "1|8|117", "2|8|105", "3|5|95"], await connection.RowsAsync("SELECT k, n, s FROM cs_sessions ORDER BY k"));
        }
    }

    /// <summary>
    /// Puts a one-partition query's committed offset back to 10, the start of its last batch (offsets 10..30, as its
    /// intent says), and drops its checkpoints: the restart must replay that batch, whose output already landed.
    /// </summary>
    private static void RewindLastBatch(string dataDirectory, string queryPrefix)
    {
        var directory = Directory.GetDirectories(Path.Combine(dataDirectory, "queries"), queryPrefix + "*").Single();
        var offsets = new Runtime.Queries.OffsetStore(directory);
        var intent = offsets.LoadIntent()!;
        Assert.Equal((0, 30L), (intent.SourcePartition, intent.EndOffset));
        offsets.Save(0, 10);
        foreach (var checkpoint in Directory.GetFiles(directory, "*.checkpoint*", SearchOption.AllDirectories))
        {
            File.Delete(checkpoint);
        }
    }
}
