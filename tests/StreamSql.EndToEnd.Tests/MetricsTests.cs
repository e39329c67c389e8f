using System.Net.Http;

namespace StreamSql.EndToEnd.Tests;

/// <summary>/metrics (Prometheus text), /ready and SHOW QUERIES report a running query's progress, lag and bad records.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task ScrapedMetricsShowRecordsGrowAndLagReturnToZero()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Server.HttpPort}") };
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM m_src (id INT, v DOUBLE) WITH (partitions=2)");
        await connection.ExecuteAsync("CREATE STREAM m_big AS SELECT id, v * 2 AS w FROM m_src WHERE v > 1");
        await connection.ExecuteAsync("INSERT INTO m_src VALUES (1, 0.5), (2, 2), (3, 3)");
        await connection.ExecuteAsync("FLUSH");

        var first = await http.GetStringAsync("/metrics");
        Assert.Contains("streamsql_query_records_in_total{query_id=\"csas_m_big_1\"} 3", first);
        Assert.Contains("streamsql_query_records_out_total{query_id=\"csas_m_big_1\"} 2", first);
        Assert.Contains("streamsql_query_lag_records{query_id=\"csas_m_big_1\",partition=\"0\"} 0", first);
        Assert.Contains("streamsql_query_running{query_id=\"csas_m_big_1\"} 1", first);
        Assert.Contains("streamsql_pg_connections 1", first);
        Assert.Contains("streamsql_statements_total{kind=\"insert_values\",outcome=\"ok\"} 1", first);
        Assert.Contains("streamsql_statements_total{kind=\"create_relation\",outcome=\"ok\"} 2", first);
        Assert.Contains("dotnet_collection_count_total", first);
        Assert.Contains("streamsql_topic_records{topic=\"m_src\",partition=\"0\"}", first);

        await connection.ExecuteAsync("INSERT INTO m_src VALUES (4, 4), (5, 5)");
        await connection.ExecuteAsync("FLUSH");
        var second = await http.GetStringAsync("/metrics");
        Assert.Contains("streamsql_query_records_in_total{query_id=\"csas_m_big_1\"} 5", second);
        Assert.Equal(5, Enumerable.Range(0, 2).Sum(p => TopicRecords(second, "m_src", p)));
        Assert.DoesNotContain("streamsql_query_lag_records{query_id=\"csas_m_big_1\",partition=\"0\"} 1", second);
        Assert.Equal("{\"status\":\"ready\"}", await http.GetStringAsync("/ready"));

        var show = Assert.Single(await connection.RowsAsync("SHOW QUERIES"));
        Assert.Equal(["csas_m_big_1", "RUNNING", "m_big", "5", "4", "0", "0", "NULL"], show.Split('|').Where((_, i) => i != 3));
    }

    [Fact]
    public async Task BadRecordsShowTheirCountAndLastErrorInDescribeExtended()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM bad_src (id INT) WITH (partitions=1)");
        await connection.ExecuteAsync("CREATE STREAM bad_out AS SELECT id FROM bad_src");
        await server.Server.Engine.Topics.Find("bad_src")!.AppendAsync(0, [new(null, "{oops"u8.ToArray(), 0), new(null, "{\"id\":1}"u8.ToArray(), 0)]);
        await connection.ExecuteAsync("FLUSH");

        var describe = await connection.RowsAsync("DESCRIBE EXTENDED bad_out");
        Assert.Contains("(bad records)|1|", describe);
        Assert.Contains(describe, r => r.StartsWith("(last error)|bad_src/0@0: malformed JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnExpressionErrorOnOneRowGivesNullAndTheQueryGoesOn()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await connection.ExecuteAsync("CREATE STREAM div_src (id INT, d INT) WITH (partitions=1)");
        await connection.ExecuteAsync("CREATE STREAM div_out AS SELECT id, 100 / d AS q FROM div_src");
        await connection.ExecuteAsync("INSERT INTO div_src VALUES (1, 4), (2, 0), (3, 5)");
        await connection.ExecuteAsync("FLUSH");

        Assert.Equal(["1|25", "2|NULL", "3|20"], (await connection.RowsAsync("SELECT * FROM div_out")).Order());
        var describe = await connection.RowsAsync("DESCRIBE EXTENDED div_out");
        Assert.Contains("(expression errors)|1|", describe);
        Assert.Contains("(last error)|22012: division by zero|", describe);
        Assert.Equal("RUNNING", (await connection.RowsAsync("SHOW QUERIES")).Single().Split('|')[1]);
    }

    [Fact]
    public async Task ShowPropertiesListsTheServerConfiguration()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await server.ConnectAsync();

        var properties = (await connection.RowsAsync("SHOW PROPERTIES")).Select(r => r.Split('|')).ToDictionary(r => r[0], r => r[1]);

        Assert.Equal(server.Server.Engine.Options.DataDirectory, properties["data_dir"]);
        Assert.Equal(("trust", "off", "(embedded topics)", "127.0.0.1"), (properties["auth"], properties["tls"], properties["kafka"], properties["bind"]));
        Assert.Equal("0", properties["users"]);
    }

    private static long TopicRecords(string metrics, string topic, int partition)
    {
        var prefix = $"streamsql_topic_records{{topic=\"{topic}\",partition=\"{partition}\"}} ";
        var line = metrics.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return long.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
