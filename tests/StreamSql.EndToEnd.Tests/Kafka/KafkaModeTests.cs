using StreamSql.SqlLogicTest;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>Kafka mode end to end: server B keeps every topic in server A through Confluent.Kafka and behaves as an embedded server does.</summary>
public sealed class KafkaModeTests(KafkaModeFixture fixture) : IClassFixture<KafkaModeFixture>
{
    private const string CommandLogTopic = "_streamsql-default-command_log";

    public static TheoryData<string> Files() => SqlLogicTests.Files();

    [Theory]
    [MemberData(nameof(Files))]
    public async Task PlaysTheSqlLogicSuite(string file)
    {
        var runner = new SltRunner($"Host=127.0.0.1;Port={fixture.KafkaMode.PgPort};Username=streamsql;Database=streamsql");
        var failures = await runner.RunFileAsync(Path.Combine(SqlLogicTests.RepositoryRoot(), "sqllogictests", file));

        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Select(f => f.ToString())));
    }

    [Fact]
    public async Task KafkaModeTopicsLiveInTheCluster()
    {
        Assert.Equal(0, fixture.KafkaMode.KafkaPort);
        var stream = Sql.Unique("km_visible");
        await using var b = await fixture.KafkaMode.ConnectAsync();
        await b.ExecuteAsync($"CREATE STREAM {stream} (id INT KEY, item VARCHAR) WITH (kafka_topic='{stream}', value_format='JSON', partitions=3)");
        await b.ExecuteAsync($"INSERT INTO {stream} VALUES (1, 'apple'), (2, 'pear')");

        // B's stream topic and its command log are topics of A, with the partitions and records B wrote.
        await using var a = await fixture.Cluster.ConnectAsync();
        var aTopics = await a.RowsAsync("SHOW TOPICS EXTENDED");
        Assert.Contains($"{stream}|3|2", aTopics);
        Assert.Contains(aTopics, r => r.StartsWith(CommandLogTopic + "|1|", StringComparison.Ordinal));
        var bTopics = fixture.KafkaMode.Server.Engine.Topics.List().Select(t => t.Name).ToList();
        Assert.Contains(CommandLogTopic, bTopics);
        Assert.All(bTopics, name => Assert.NotNull(fixture.Cluster.Server.Engine.Topics.Find(name)));

        // A's own internal topics stay A's: B neither sees nor shares them.
        Assert.DoesNotContain("_streamsql_command_log", bTopics);
        Assert.Equal(["1|apple", "2|pear"], (await b.RowsAsync($"SELECT * FROM {stream}")).Order());
        await b.ExecuteAsync($"DROP STREAM {stream} DELETE TOPIC");
        Assert.Null(fixture.Cluster.Server.Engine.Topics.Find(stream));
    }

    [Fact]
    public async Task RestartReplaysTheCatalogFromTheKafkaCommandLog()
    {
        await using var cluster = await TestServer.StartAsync();
        await using var server = await TestServer.StartAsync(kafka: cluster.KafkaBootstrap);
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM orders (id INT KEY, item VARCHAR, amount DOUBLE) WITH (kafka_topic='orders', value_format='JSON', partitions=2)");
            await connection.ExecuteAsync("INSERT INTO orders (id, item, amount) VALUES (1, 'apple', 0.5), (2, 'pear', 1.5), (3, 'fig', 2.5)");
            await connection.ExecuteAsync("CREATE STREAM big_orders AS SELECT id, UCASE(item) AS item FROM orders WHERE amount > 1 EMIT CHANGES");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["2|PEAR", "3|FIG"], (await connection.RowsAsync("SELECT * FROM big_orders")).Order());
        }

        // The catalog is in A's topic, not in B's data directory.
        Assert.Equal(2, cluster.Server.Engine.Topics.Find(CommandLogTopic)!.EndOffset(0));
        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "topics")));

        await server.RestartAsync();

        await using (var connection = await server.ConnectAsync())
        {
            Assert.Equal(["big_orders", "orders"], (await connection.RowsAsync("SHOW STREAMS")).Select(r => r.Split('|')[0]));
            Assert.Equal(["csas_big_orders_1|RUNNING|big_orders"], (await connection.RowsAsync("SHOW QUERIES")).Select(r => string.Join('|', r.Split('|')[..3])));

            // The resumed query continues from its own offsets: exactly one more output row.
            await connection.ExecuteAsync("INSERT INTO orders VALUES (4, 'kiwi', 9)");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["2|PEAR", "3|FIG", "4|KIWI"], (await connection.RowsAsync("SELECT * FROM big_orders")).Order());
        }
    }
}
