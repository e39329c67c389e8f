using System.Text;
using System.Text.RegularExpressions;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>The real kcat (librdkafka) against the Kafka endpoint: metadata, producing into a stream, consuming a query's output, a consumer group of two processes.</summary>
[Collection(KafkaServerCollection.Name)]
public sealed partial class KcatTests(KafkaServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ListShowsTopicsAndPartitions()
    {
        var s = Sql.Unique("listed");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT) WITH (kafka_topic='{s}', partitions=3)");

        var (exit, output, error) = await KcatProcess.RunAsync(["-b", _server.KafkaBootstrap, "-L"], null, Timeout);

        Assert.True(exit == 0, error);
        Assert.Contains($"topic \"{s}\" with 3 partitions", output);
        Assert.Contains($"broker {0} at {_server.KafkaBootstrap}", output);
        Assert.DoesNotContain("_streamsql", output);
    }

    [Fact]
    public async Task ProducedJsonLinesAreSeenByAPushQuery()
    {
        const int count = 10_000;
        var s = Sql.Unique("kcat_in");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT, msg VARCHAR) WITH (kafka_topic='{s}', value_format='JSON', partitions=2)");
        var lines = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            lines.Append($"{{\"id\":{i},\"msg\":\"m{i}\"}}\n");
        }

        var (exit, _, error) = await KcatProcess.RunAsync(["-b", _server.KafkaBootstrap, "-P", "-t", s], lines.ToString(), Timeout);
        Assert.True(exit == 0, error);

        var rows = await connection.RowsAsync($"SELECT id, msg FROM {s} EMIT CHANGES LIMIT {count}");
        Assert.Equal(count, rows.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{i}|m{i}").Order(), rows.Order());
    }

    [Fact]
    public async Task ATopicAutoCreatedByProduceShowsInSqlAndCanBackAStream()
    {
        var topic = Sql.Unique("kcat_auto");
        var (exit, _, error) = await KcatProcess.RunAsync(["-b", _server.KafkaBootstrap, "-P", "-t", topic, "-K", "|"], "a|{\"n\":1}\nb|{\"n\":2}\n", Timeout);
        Assert.True(exit == 0, error);

        await using var connection = await _server.ConnectAsync();
        Assert.Contains($"{topic}|1|2", await connection.RowsAsync("SHOW TOPICS"));
        await connection.ExecuteAsync($"CREATE STREAM {topic} (k VARCHAR KEY, n INT) WITH (kafka_topic='{topic}', value_format='JSON')");
        Assert.Equal(["a|1", "b|2"], (await connection.RowsAsync($"SELECT k, n FROM {topic}")).Order());
    }

    [Fact]
    public async Task CompressedBatchesAreStoredDecompressed()
    {
        var topic = Sql.Unique("kcat_z");
        foreach (var codec in (string[])["gzip", "snappy", "lz4"])
        {
            var lines = string.Concat(Enumerable.Range(0, 500).Select(i => $"{codec}-{i}\n"));
            var (exit, _, error) = await KcatProcess.RunAsync(["-b", _server.KafkaBootstrap, "-P", "-t", topic, "-z", codec], lines, Timeout);
            Assert.True(exit == 0, $"{codec}: {error}");
        }

        var (_, output, consumeError) = await KcatProcess.RunAsync(["-b", _server.KafkaBootstrap, "-C", "-t", topic, "-e", "-q", "-f", "%s\n"], null, Timeout);
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(values.Length == 1500, consumeError);
        Assert.Equal(500, values.Count(v => v.StartsWith("snappy-", StringComparison.Ordinal)));
        Assert.Equal(500, values.Count(v => v.StartsWith("lz4-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ConsumeReadsAPersistentQuerysOutputTopic()
    {
        var source = Sql.Unique("kcat_src");
        var sink = Sql.Unique("kcat_out");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {source} (id INT KEY, item VARCHAR) WITH (kafka_topic='{source}', partitions=2)");
        await connection.ExecuteAsync($"INSERT INTO {source} (id, item) VALUES (1, 'apple'), (2, 'pear'), (3, 'fig')");
        await connection.ExecuteAsync($"CREATE STREAM {sink} AS SELECT id, UCASE(item) AS item FROM {source} WHERE id > 1 EMIT CHANGES");
        await connection.ExecuteAsync("FLUSH");

        var (exit, output, error) = await KcatProcess.RunAsync(["-b", _server.KafkaBootstrap, "-C", "-t", sink, "-e", "-q", "-f", "%s\n"], null, Timeout);

        Assert.True(exit == 0, error);
        Assert.Equal(["{\"item\":\"FIG\"}", "{\"item\":\"PEAR\"}"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Fact]
    public async Task GroupOfTwoProcessesSplitsPartitionsAndOneTakesOverWhenTheOtherLeaves()
    {
        var topic = Sql.Unique("kcat_group");
        var group = Sql.Unique("g");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {topic} (id INT KEY, v VARCHAR) WITH (kafka_topic='{topic}', partitions=3)");
        await connection.ExecuteAsync($"INSERT INTO {topic} (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e'), (6, 'f')");

        string[] consumer = ["-b", _server.KafkaBootstrap, "-G", group, "-o", "beginning", "-u", "-f", "%p %s\n",
            "-X", "session.timeout.ms=10000", "-X", "heartbeat.interval.ms=300", topic];
        using var first = KcatProcess.Start(consumer);
        await Eventually.WaitAsync(() => LatestAssignment(first).Count == 3, Timeout, () => "first member owns all 3 partitions: " + first.Error);

        using var second = KcatProcess.Start(consumer);
        await Eventually.WaitAsync(
            () => LatestAssignment(first).Count + LatestAssignment(second).Count == 3 && LatestAssignment(second).Count > 0 && LatestAssignment(first).Count > 0,
            Timeout,
            () => $"the two members split the partitions; first: {first.Error} second: {second.Error}");
        Assert.Empty(LatestAssignment(first).Intersect(LatestAssignment(second)));

        second.Terminate();
        await second.WaitForExitAsync(Timeout);
        await Eventually.WaitAsync(() => LatestAssignment(first).Count == 3, Timeout, () => "first member takes all partitions back: " + first.Error);

        // Every record was consumed by one of the two processes.
        await Eventually.WaitAsync(
            () => (first.Output + second.Output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Count() == 6,
            Timeout,
            () => $"6 records consumed; first: {first.Output} second: {second.Output}");
        first.Terminate();
        await first.WaitForExitAsync(Timeout);
    }

    /// <summary>The partitions in the last "assigned:" line kcat printed, or none once it printed "revoked:" after it.</summary>
    private static List<int> LatestAssignment(KcatProcess kcat)
    {
        var lines = kcat.Error.Split('\n').Where(l => l.Contains("rebalanced", StringComparison.Ordinal)).ToList();
        if (lines.Count == 0 || !lines[^1].Contains("assigned:", StringComparison.Ordinal))
        {
            return [];
        }

        return PartitionPattern().Matches(lines[^1]).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex PartitionPattern();
}
