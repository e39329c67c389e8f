using System.Globalization;
using System.Net.Http;
using System.Text.RegularExpressions;

namespace StreamSql.EndToEnd.Tests;

/// <summary>EXPLAIN ANALYZE, the latency histogram, checkpoint metrics, and FAILED queries brought back with RESTART QUERY (issue 9).</summary>
public sealed partial class OperabilityTests
{
    [GeneratedRegex(@"\[rows in=(\d+), rows out=(\d+), time=[\d.]+ ms\]")]
    private static partial Regex OperatorCounts();

    [GeneratedRegex(@"\[(?:records read=(\d+), )?rows out=(\d+)\]")]
    private static partial Regex LeafCounts();

    /// <summary>Leaf rows out, then (rows in, rows out) of each operator, in the order the lines list them.</summary>
    private static (long LeafOut, long? RecordsRead, List<(long In, long Out)> Operators) Counts(IEnumerable<string> lines)
    {
        var list = lines.ToList();
        var leaf = list.Select(l => LeafCounts().Match(l)).First(m => m.Success);
        var operators = list.Select(l => OperatorCounts().Match(l)).Where(m => m.Success)
            .Select(m => (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        return (long.Parse(leaf.Groups[2].Value, CultureInfo.InvariantCulture),
            leaf.Groups[1].Success ? long.Parse(leaf.Groups[1].Value, CultureInfo.InvariantCulture) : null, operators);
    }

    private static void AssertAddUp(long leafOut, List<(long In, long Out)> operators)
    {
        Assert.NotEmpty(operators);
        Assert.Equal(leafOut, operators[0].In);
        for (var k = 1; k < operators.Count; k++)
        {
            Assert.Equal(operators[k - 1].Out, operators[k].In);
        }
    }

    [Fact]
    public async Task ExplainAnalyzeOfARunningQueryShowsPerOperatorCountsThatAddUp()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM ea_src (id INT, v DOUBLE) WITH (partitions=2)");
        await connection.ExecuteAsync("CREATE STREAM ea_out AS SELECT id, v * 2 AS w FROM ea_src WHERE v > 1");
        await connection.ExecuteAsync("INSERT INTO ea_src VALUES (1, 0.5), (2, 2), (3, 3), (4, 0), (5, 5)");
        // A record that does not decode is read but never reaches the operators.
        await server.Server.Engine.Topics.Find("ea_src")!.AppendAsync(0, [new(null, "{oops"u8.ToArray(), 0)]);
        await connection.ExecuteAsync("FLUSH");

        var plan = await connection.RowsAsync("EXPLAIN ANALYZE csas_ea_out_1");

        var (leafOut, read, operators) = Counts(plan);
        Assert.Equal(6, read);
        Assert.Equal(5, leafOut);
        AssertAddUp(leafOut, operators);
        Assert.Equal([(5L, 3L), (3L, 3L)], operators);
        Assert.Contains(plan, l => l.Contains("FilterOperator [rows in=5, rows out=3", StringComparison.Ordinal));
        Assert.Contains(plan, l => l.Contains("write 3 rows to ea_out", StringComparison.Ordinal));
        Assert.Contains(plan, l => l.StartsWith("Records read: 6, bad records: 1", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.RowsAsync("EXPLAIN ANALYZE no_such_query"));
        Assert.Equal("42704", error.SqlState);
    }

    [Fact]
    public async Task ExplainAnalyzeOfASelectRunsItAndCountsEveryStep()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM eas_src (id INT, v DOUBLE) WITH (partitions=3)");
        await connection.ExecuteAsync("INSERT INTO eas_src VALUES (1, 0.5), (2, 2), (3, 3), (4, 0), (5, 5), (6, 6)");

        var plan = await connection.RowsAsync("EXPLAIN ANALYZE SELECT id, v * 2 AS w FROM eas_src WHERE v > 1");
        var (leafOut, read, operators) = Counts(plan);
        Assert.Equal(6, read);
        Assert.Equal(6, leafOut);
        AssertAddUp(leafOut, operators);
        Assert.Equal(4, operators[^1].Out);
        Assert.Contains(plan, l => l.StartsWith("Rows returned: 4 (discarded)", StringComparison.Ordinal));
        Assert.Contains(plan, l => l.StartsWith("Physical (analyzed", StringComparison.Ordinal));

        // An aggregation: the scan's pipeline feeds the in-memory aggregate, whose output feeds the projection above it.
        var grouped = await connection.RowsAsync("EXPLAIN ANALYZE SELECT id % 2 AS parity, count(*) AS n FROM eas_src WHERE v > 1 GROUP BY id % 2");
        Assert.Contains(grouped, l => l.Contains("HashAggregate", StringComparison.Ordinal) && l.Contains("[rows out=2]", StringComparison.Ordinal));
        Assert.Contains(grouped, l => l.StartsWith("Rows returned: 2", StringComparison.Ordinal));

        // Plain EXPLAIN still does not run anything.
        Assert.DoesNotContain(await connection.RowsAsync("EXPLAIN SELECT * FROM eas_src"), l => l.Contains("rows in=", StringComparison.Ordinal));
        var push = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.RowsAsync("EXPLAIN ANALYZE SELECT * FROM eas_src EMIT CHANGES"));
        Assert.Equal("0A000", push.SqlState);
    }

    [Fact]
    public async Task LatencyHistogramAndCheckpointMetricsAreScraped()
    {
        await using var server = await TestServer.StartAsync(configure: o => o with { CheckpointInterval = TimeSpan.Zero });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Server.HttpPort}") };
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM lat_src (id INT, k VARCHAR) WITH (partitions=1)");
        await connection.ExecuteAsync("CREATE STREAM lat_out AS SELECT id FROM lat_src WHERE id > 1");
        await connection.ExecuteAsync("CREATE TABLE lat_counts AS SELECT k, COUNT(*) AS n FROM lat_src GROUP BY k");
        await connection.ExecuteAsync("INSERT INTO lat_src VALUES (1, 'a'), (2, 'b'), (3, 'a')");
        await connection.ExecuteAsync("FLUSH");
        await connection.ExecuteAsync("INSERT INTO lat_src VALUES (4, 'b')");
        await connection.ExecuteAsync("FLUSH");

        var metrics = await http.GetStringAsync("/metrics");
        // Every source record is observed once its batch's output is written, filtered or not.
        Assert.Contains("streamsql_query_latency_seconds_count{query_id=\"csas_lat_out_1\"} 4", metrics);
        Assert.Contains("streamsql_query_latency_seconds_bucket{query_id=\"csas_lat_out_1\",le=\"+Inf\"} 4", metrics);
        Assert.Matches(@"streamsql_query_latency_seconds_sum\{query_id=""csas_lat_out_1""\} [0-9.e-]+", metrics);
        Assert.Contains("# TYPE streamsql_query_latency_seconds histogram", metrics);

        // The aggregation checkpoints after every batch (interval 0).
        var checkpoints = Regex.Match(metrics, @"streamsql_query_checkpoints_total\{query_id=""ctas_lat_counts_2""\} (\d+)");
        Assert.True(checkpoints.Success, metrics);
        Assert.True(long.Parse(checkpoints.Groups[1].Value, CultureInfo.InvariantCulture) >= 1);
        Assert.Matches(@"streamsql_query_checkpoint_duration_seconds\{query_id=""ctas_lat_counts_2""\} [0-9.e-]+", metrics);
        var age = Regex.Match(metrics, @"streamsql_query_checkpoint_age_seconds\{query_id=""ctas_lat_counts_2""\} ([0-9.e-]+)");
        Assert.True(age.Success);
        Assert.InRange(double.Parse(age.Groups[1].Value, CultureInfo.InvariantCulture), 0, 60);
        Assert.DoesNotContain("streamsql_query_checkpoints_total{query_id=\"csas_lat_out_1\"}", metrics);

        var describe = await connection.RowsAsync("DESCRIBE EXTENDED lat_counts");
        Assert.Contains(describe, r => Regex.IsMatch(r, @"^\(checkpoints\)\|[1-9]\d*\|$"));
        Assert.Contains(describe, r => Regex.IsMatch(r, @"^\(last checkpoint ms\)\|\d+\|$"));
        Assert.Contains(describe, r => Regex.IsMatch(r, @"^\(checkpoint age s\)\|\d+\.\d\|$"));
    }

    [Fact]
    public async Task AQueryWhoseSinkTopicIsDeletedFailsAloneAndRestartsOnceItIsBack()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Server.HttpPort}") };
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM f_src (id INT) WITH (partitions=1)");
        await connection.ExecuteAsync("CREATE STREAM f_out AS SELECT id FROM f_src");
        await connection.ExecuteAsync("CREATE STREAM f_other AS SELECT id * 10 AS t FROM f_src");
        await connection.ExecuteAsync("INSERT INTO f_src VALUES (1), (2)");
        await connection.ExecuteAsync("FLUSH");
        Assert.Equal(["1", "2"], (await connection.RowsAsync("SELECT * FROM f_out")).Order());

        // The output topic disappears under the running query.
        server.Server.Engine.Topics.Delete("f_out");
        await connection.ExecuteAsync("INSERT INTO f_src VALUES (3), (4)");
        string[] Status(List<string> rows, string id) => rows.Single(r => r.StartsWith(id + "|", StringComparison.Ordinal)).Split('|');
        var failed = Array.Empty<string>();
        await Wait.UntilAsync(() =>
        {
            failed = Status(connection.RowsAsync("SHOW QUERIES").GetAwaiter().GetResult(), "csas_f_out_1");
            return failed[1] == "FAILED";
        }, "the query whose sink was deleted is FAILED");
        Assert.Contains("f_out", failed[^1], StringComparison.Ordinal);
        Assert.Contains("deleted", failed[^1], StringComparison.Ordinal);

        // The other query reading the same source goes on.
        await connection.ExecuteAsync("FLUSH");
        var queries = await connection.RowsAsync("SHOW QUERIES");
        Assert.Equal("RUNNING", Status(queries, "csas_f_other_2")[1]);
        Assert.Equal("NULL", Status(queries, "csas_f_other_2")[^1]);
        Assert.Equal(["10", "20", "30", "40"], (await connection.RowsAsync("SELECT * FROM f_other")).Order());
        Assert.Contains(await connection.RowsAsync("DESCRIBE EXTENDED f_out"), r => r.StartsWith("(query)|csas_f_out_1|FAILED", StringComparison.Ordinal));
        Assert.Contains(await connection.RowsAsync("DESCRIBE EXTENDED f_out"), r => r.StartsWith("(failure)|topic \"f_out\" was deleted", StringComparison.Ordinal));
        Assert.Contains("streamsql_query_running{query_id=\"csas_f_out_1\"} 0", await http.GetStringAsync("/metrics"));
        Assert.Equal(503, (int)(await http.GetAsync("/ready")).StatusCode);

        // Fix the cause, restart: the query resumes from its last committed offset, so the batch that failed is written now.
        server.Server.Engine.Topics.GetOrCreate("f_out", 1);
        await connection.ExecuteAsync("RESTART QUERY csas_f_out_1");
        Assert.Equal("RUNNING", Status(await connection.RowsAsync("SHOW QUERIES"), "csas_f_out_1")[1]);
        await connection.ExecuteAsync("INSERT INTO f_src VALUES (5)");
        await connection.ExecuteAsync("FLUSH");
        Assert.Equal(["3", "4", "5"], (await connection.RowsAsync("SELECT * FROM f_out")).Order());
        Assert.Equal("{\"status\":\"ready\"}", await http.GetStringAsync("/ready"));

        var unknown = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync("RESTART QUERY nope"));
        Assert.Equal("42704", unknown.SqlState);
    }

    [Fact]
    public async Task RestartQueryOfAStatefulQueryKeepsItsState()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM rs_src (id INT, k VARCHAR) WITH (partitions=2)");
        await connection.ExecuteAsync("CREATE TABLE rs_counts AS SELECT k, COUNT(*) AS n FROM rs_src GROUP BY k");
        await connection.ExecuteAsync("INSERT INTO rs_src VALUES (1, 'a'), (2, 'b'), (3, 'a')");
        await connection.ExecuteAsync("FLUSH");

        await connection.ExecuteAsync("RESTART QUERY ctas_rs_counts_1");
        await connection.ExecuteAsync("INSERT INTO rs_src VALUES (4, 'a')");
        await connection.ExecuteAsync("FLUSH");

        Assert.Equal(["a|3", "b|1"], (await connection.RowsAsync("SELECT * FROM rs_counts")).Order());
        var plan = await connection.RowsAsync("EXPLAIN ANALYZE ctas_rs_counts_1");
        Assert.Contains(plan, l => l.Contains("Stage 1: repartition", StringComparison.Ordinal));
        Assert.Contains(plan, l => l.Contains("StreamAggregateOperator", StringComparison.Ordinal));
    }
}
