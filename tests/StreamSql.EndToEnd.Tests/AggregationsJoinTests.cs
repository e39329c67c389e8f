using System.Globalization;
using System.Text;

namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// CREATE TABLE ... AS a JOIN of two GROUP BY subqueries: each subquery is a stage writing an internal table, and the
/// statement joins the two. Random rows into both streams, the server killed (SIGKILL) between batches: the joined table
/// must equal the same SELECT run as a pull query over everything inserted (sums and counts neither lost nor doubled by
/// the stages' replays).
/// </summary>
public sealed class AggregationsJoinTests : IDisposable
{
    private const string Select =
        "SELECT o.k, o.n, o.total, p.paid FROM (SELECT k, count(*) AS n, sum(v) AS total FROM agj_orders GROUP BY k) o "
        + "LEFT JOIN (SELECT k, sum(v) AS paid FROM agj_payments GROUP BY k) p ON o.k = p.k";

    private readonly ServerProcess _server = new(Directory.CreateTempSubdirectory("streamsql-agj-").FullName, "--checkpoint-interval", "200ms");

    [Fact]
    public async Task TheJoinedTableEqualsThePullQueryAcrossKills()
    {
        await _server.StartAsync();
        var random = new Random(41);
        await using (var connection = await _server.ConnectAsync())
        {
            // Keyed by id, grouped by k: each side's rows are re-keyed by their group first (two partitions).
            await connection.ExecuteAsync("CREATE STREAM agj_orders (id INT KEY, k VARCHAR, v INT) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE STREAM agj_payments (id INT KEY, k VARCHAR, v INT) WITH (partitions=2)");
            await connection.ExecuteAsync("CREATE TABLE agj_balance AS " + Select);
        }

        var id = 0;
        for (var round = 0; round < 3; round++)
        {
            await using (var connection = await _server.ConnectAsync())
            {
                for (var batch = 0; batch < 5; batch++)
                {
                    await connection.ExecuteAsync(Inserts("agj_orders", random, ref id, 40));
                    await connection.ExecuteAsync(Inserts("agj_payments", random, ref id, 25));
                }
            }

            // Killed while the stages may still be working through the batches.
            await _server.KillAsync();
            await _server.StartAsync();
        }

        await using (var connection = await _server.ConnectAsync())
        {
            await connection.ExecuteAsync("FLUSH");
            var expected = await connection.RowsAsync(Select + " ORDER BY 1");
            Assert.Equal(30, expected.Count);
            Assert.Equal(expected, await connection.RowsAsync("SELECT k, n, total, paid FROM agj_balance ORDER BY k"));
            Assert.Equal(15 * 40, expected.Sum(r => long.Parse(r.Split('|')[1], CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public async Task StagesAreExplainedAndDroppedWithTheTable()
    {
        await _server.StartAsync();
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM agj_orders (id INT KEY, k VARCHAR, v INT) WITH (partitions=2)");
        await connection.ExecuteAsync("CREATE STREAM agj_payments (k VARCHAR KEY, v INT) WITH (partitions=2)");
        // Refused once both sides' stages were made (the join key is not selected): none of them is left behind.
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync(
            "CREATE TABLE agj_bad AS SELECT o.n FROM (SELECT k, count(*) AS n FROM agj_orders GROUP BY k) o JOIN (SELECT k, sum(v) AS paid FROM agj_payments GROUP BY k) p ON o.k = p.k"));
        Assert.Equal("42P10", refused.SqlState);
        var topics = Path.Combine(_server.DataDirectory, "topics");
        var queries = Path.Combine(_server.DataDirectory, "queries");
        Assert.Empty(Directory.GetDirectories(topics, "_streamsql_ctas_agj_bad*"));
        Assert.Empty(Directory.Exists(queries) ? Directory.GetDirectories(queries, "ctas_agj_bad*") : []);

        await connection.ExecuteAsync("CREATE TABLE agj_balance AS " + Select);
        await connection.ExecuteAsync("INSERT INTO agj_orders VALUES (1, 'a', 10), (2, 'b', 20), (3, 'a', 1)");
        await connection.ExecuteAsync("INSERT INTO agj_payments VALUES ('a', 5)");
        await connection.ExecuteAsync("FLUSH");
        Assert.Equal(["a|2|11|5", "b|1|20|NULL"], await connection.RowsAsync("SELECT k, n, total, paid FROM agj_balance ORDER BY k"));

        var queryId = (await connection.RowsAsync("SHOW QUERIES")).Single().Split('|')[0];
        var plan = string.Join("\n", await connection.RowsAsync($"EXPLAIN ANALYZE {queryId}"));
        // Orders are keyed by id and grouped by k: re-keyed first. Payments are keyed by k: aggregated where they are.
        Assert.Contains("Stage 1: repartition agj_orders by the group key", plan);
        Assert.Contains("Stage 2: aggregation of the left subquery over agj_orders, its changes to an internal table keyed by the group key", plan);
        Assert.Contains("Stage 3: aggregation of the right subquery over agj_payments, its changes to an internal table keyed by the group key", plan);
        Assert.Contains("Stage 4: join", plan);
        Assert.Contains("rows to the left table topic", plan);

        // The internal tables are not user topics, and go with the table.
        Assert.DoesNotContain(await connection.RowsAsync("SHOW TOPICS"), t => t.Contains(queryId, StringComparison.Ordinal));
        Assert.True(Directory.Exists(Path.Combine(topics, $"_streamsql_{queryId}_left_table-table")));
        Assert.True(Directory.Exists(Path.Combine(topics, $"_streamsql_{queryId}_left_table-repartition")));
        Assert.True(Directory.Exists(Path.Combine(topics, $"_streamsql_{queryId}_right_table-table")));
        await connection.ExecuteAsync("DROP TABLE agj_balance DELETE TOPIC");
        Assert.Empty(Directory.GetDirectories(topics, $"_streamsql_{queryId}*"));
        Assert.Empty(Directory.GetDirectories(queries, queryId + "*"));
    }

    private static string Inserts(string stream, Random random, ref int id, int rows)
    {
        var sql = new StringBuilder($"INSERT INTO {stream} VALUES ");
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({++id}, 'k{random.Next(30):D2}', {random.Next(1, 100)})");
        }

        return sql.ToString();
    }

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_server.DataDirectory, recursive: true);
    }
}
