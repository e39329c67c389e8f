using System.Globalization;

namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// A persistent aggregation over an aggregation (a subquery in FROM), run as one pipeline: the inner one sends each
/// group's old row before its new one and the outer one takes the old values back out. Random rows in random batches;
/// each table must equal the same SELECT run as a pull query over the finished input (computed in memory by another
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
    ];

    [Theory]
    [InlineData(false, 21)]
    [InlineData(true, 22)]
    public async Task NestedAggregationsEqualThePullQuery(bool consolidate, int seed)
    {
        await using var server = await TestServer.StartAsync();
        var random = new Random(seed);
        var time = 0;
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM na_src (k VARCHAR KEY, ts TIMESTAMP, v INT) WITH (timestamp='ts', partitions=1)");
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
