namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// Joins of inputs that are not co-partitioned run in two stages (a stream side re-keyed through an internal topic, then
/// the join): across a restart, with rows written before and after it and while the stages catch up, every output row
/// is there exactly once; dropping the query removes its internal topics.
/// </summary>
public sealed class JoinRepartitionTests
{
    [Fact]
    public async Task RepartitionedJoinsAreExactAfterARestart()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE jr_users (id VARCHAR PRIMARY KEY, name VARCHAR, ts TIMESTAMP) WITH (timestamp='ts', partitions=2)");
            await connection.ExecuteAsync("CREATE STREAM jr_orders (order_id INT KEY, buyer VARCHAR, ts TIMESTAMP) WITH (timestamp='ts', partitions=4)");
            await connection.ExecuteAsync("CREATE STREAM jr_views (k VARCHAR KEY, w INT, ts TIMESTAMP) WITH (timestamp='ts', partitions=1)");
            await connection.ExecuteAsync("INSERT INTO jr_users VALUES " + string.Join(", ", Enumerable.Range(0, 10).Select(i => $"('u{i}', 'n{i}', '2026-01-01 00:00:00')")));
            await connection.ExecuteAsync("CREATE STREAM jr_enriched AS SELECT o.order_id, o.buyer, u.name FROM jr_orders o LEFT JOIN jr_users u ON o.buyer = u.id");
            await connection.ExecuteAsync("CREATE STREAM jr_pairs AS SELECT o.order_id, v.w FROM jr_orders o JOIN jr_views v WITHIN 1 HOUR ON o.buyer = v.k");
            // An aggregation over the join: three stages (re-key the orders, join keyed by the group, aggregate).
            await connection.ExecuteAsync("CREATE TABLE jr_counts AS SELECT u.name, count(*) AS n FROM jr_orders o JOIN jr_users u ON o.buyer = u.id GROUP BY u.name");
            await Insert(connection, 0, 300);
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["300"], await connection.RowsAsync("SELECT count(*) FROM jr_enriched"));

            // More rows that the stages may not all have processed when the server stops.
            await Insert(connection, 300, 600);
        }

        await server.RestartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await Insert(connection, 600, 800);
            await connection.ExecuteAsync("FLUSH");

            // Order i is bought by u(i % 12): u10 and u11 have no row. View j of key u(j % 12) has w = j; all within the hour.
            var enriched = Enumerable.Range(0, 800).Select(i => $"{i}|u{i % 12}|{(i % 12 < 10 ? "n" + (i % 12) : "NULL")}").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(enriched, (await connection.RowsAsync("SELECT order_id, buyer, name FROM jr_enriched")).Order(StringComparer.Ordinal).ToList());
            var pairs = (from i in Enumerable.Range(0, 800)
                         from j in Enumerable.Range(0, 80)
                         where i % 12 == j % 12
                         select $"{i}|{j}").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(pairs, (await connection.RowsAsync("SELECT order_id, w FROM jr_pairs")).Order(StringComparer.Ordinal).ToList());

            var counts = Enumerable.Range(0, 10).Select(k => $"n{k}|{Enumerable.Range(0, 800).Count(i => i % 12 == k)}").ToList();
            Assert.Equal(counts, (await connection.RowsAsync("SELECT name, n FROM jr_counts ORDER BY name")).ToList());

            var topics = Path.Combine(server.DataDirectory, "topics");
            var countsId = Path.GetFileName(Directory.GetDirectories(Path.Combine(server.DataDirectory, "queries"), "ctas_jr_counts_*").Single(d => !d.Contains("_repartition", StringComparison.Ordinal)));
            var plan = string.Join("\n", await connection.RowsAsync($"EXPLAIN ANALYZE {countsId}"));
            Assert.Contains("Stage 1: repartition jr_orders by the join key", plan);
            Assert.Contains("Stage 2: join, keyed by the group key", plan);
            Assert.Contains("Stage 3: aggregate", plan);
            Assert.True(Directory.Exists(Path.Combine(topics, $"_streamsql_{countsId}_repartition-left-repartition")));
            Assert.True(Directory.Exists(Path.Combine(topics, $"_streamsql_{countsId}-join")));
            await connection.ExecuteAsync("DROP TABLE jr_counts DELETE TOPIC");
            Assert.False(Directory.Exists(Path.Combine(topics, $"_streamsql_{countsId}_repartition-left-repartition")));
            Assert.False(Directory.Exists(Path.Combine(topics, $"_streamsql_{countsId}-join")));
            Assert.Empty(Directory.GetDirectories(Path.Combine(server.DataDirectory, "queries"), countsId + "_repartition*"));

            var queryId = Path.GetFileName(Directory.GetDirectories(Path.Combine(server.DataDirectory, "queries"), "csas_jr_enriched_*").Single(d => !d.EndsWith("_repartition", StringComparison.Ordinal)));
            Assert.True(Directory.Exists(Path.Combine(topics, $"_streamsql_{queryId}-left-repartition")));
            await connection.ExecuteAsync("DROP STREAM jr_enriched DELETE TOPIC");
            Assert.False(Directory.Exists(Path.Combine(topics, $"_streamsql_{queryId}-left-repartition")));
            Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "queries", queryId + "_repartition")));
        }
    }

    /// <summary>Orders [from, to) at 00:00 + i seconds, and one view per ten orders (values i / 10) at the same times.</summary>
    private static async Task Insert(Npgsql.NpgsqlConnection connection, int from, int to)
    {
        static string Time(int i) => new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i / 2).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await connection.ExecuteAsync("INSERT INTO jr_orders VALUES " + string.Join(", ", Enumerable.Range(from, to - from).Select(i => $"({i}, 'u{i % 12}', '{Time(i)}')")));
        await connection.ExecuteAsync("INSERT INTO jr_views VALUES " + string.Join(", ", Enumerable.Range(from / 10, (to - from) / 10).Select(j => $"('u{j % 12}', {j}, '{Time(j * 10)}')")));
    }
}
