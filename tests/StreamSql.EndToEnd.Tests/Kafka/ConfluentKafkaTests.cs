using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>Confluent.Kafka (librdkafka) producers, consumers, a consumer group and the admin client against the Kafka endpoint.</summary>
[Collection(KafkaServerCollection.Name)]
public sealed class ConfluentKafkaTests(KafkaServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly TestServer _server = fixture.Server;

    private ConsumerConfig ConsumerConfig(string group) => new()
    {
        BootstrapServers = _server.KafkaBootstrap,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 300,
    };

    [Fact]
    public async Task IdempotentProducerRecordsAreReadBySql()
    {
        const int count = 1000;
        var s = Sql.Unique("confluent_in");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT KEY, msg VARCHAR, n BIGINT) WITH (kafka_topic='{s}', value_format='JSON', partitions=3)");

        var config = new ProducerConfig { BootstrapServers = _server.KafkaBootstrap, EnableIdempotence = true, LingerMs = 5 };
        using (var producer = new ProducerBuilder<int, string>(config).SetKeySerializer(Serializers.Int32).Build())
        {
            var deliveries = new List<Task<DeliveryResult<int, string>>>();
            for (var i = 0; i < count; i++)
            {
                deliveries.Add(producer.ProduceAsync(s, new Message<int, string> { Key = i, Value = $"{{\"msg\":\"m{i}\",\"n\":{i * 10L}}}" }));
            }

            var results = await Task.WhenAll(deliveries).WaitAsync(Timeout);
            Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
            Assert.Equal(count, results.Select(r => (r.Partition.Value, r.Offset.Value)).Distinct().Count());
        }

        var rows = await connection.RowsAsync($"SELECT id, msg, n FROM {s}");
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{i}|m{i}|{i * 10L}").Order(), rows.Order());
    }

    [Fact]
    public async Task ConsumerReadsAPersistentQuerysOutputWithHeadersAndTimestamps()
    {
        var source = Sql.Unique("confluent_src");
        var sink = Sql.Unique("confluent_out");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {source} (id INT KEY, item VARCHAR) WITH (kafka_topic='{source}', partitions=2)");
        await connection.ExecuteAsync($"INSERT INTO {source} (id, item) VALUES (1, 'apple'), (2, 'pear'), (3, 'fig')");
        await connection.ExecuteAsync($"CREATE STREAM {sink} AS SELECT id, UCASE(item) AS item FROM {source} EMIT CHANGES");
        await connection.ExecuteAsync("FLUSH");

        using var consumer = new ConsumerBuilder<int, string>(ConsumerConfig(Sql.Unique("reader"))).SetKeyDeserializer(Deserializers.Int32).Build();
        consumer.Subscribe(sink);
        var items = new List<(int Key, string Item)>();
        var deadline = DateTime.UtcNow + Timeout;
        while (items.Count < 3 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } result)
            {
                using var json = JsonDocument.Parse(result.Message.Value);
                items.Add((result.Message.Key, json.RootElement.EnumerateObject().Single().Value.GetString()!));
            }
        }

        consumer.Close();
        Assert.Equal([(1, "APPLE"), (2, "PEAR"), (3, "FIG")], items.OrderBy(i => i.Key));
    }

    [Fact]
    public async Task HeadersKeysAndTimestampsRoundTripAndOffsetsForTimesFindThem()
    {
        var topic = Sql.Unique("confluent_headers");
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _server.KafkaBootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        var duplicate = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1 }]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, duplicate.Results[0].Error.Code);

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _server.KafkaBootstrap }).Build())
        {
            for (var i = 0; i < 3; i++)
            {
                var headers = new Headers { { "trace", Encoding.UTF8.GetBytes($"t{i}") }, { "empty", null } };
                await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}", Headers = headers, Timestamp = new Timestamp(1_000_000 + (i * 1000), TimestampType.CreateTime) });
            }
        }

        using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig(Sql.Unique("headers"))).Build();
        var partition = new TopicPartition(topic, 0);
        var found = consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(1_001_500, TimestampType.CreateTime))], Timeout);
        Assert.Equal(2, found[0].Offset.Value);

        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        var messages = new List<Message<string, string>>();
        var deadline = DateTime.UtcNow + Timeout;
        while (messages.Count < 3 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } result)
            {
                messages.Add(result.Message);
            }
        }

        Assert.Equal(["k0", "k1", "k2"], messages.Select(m => m.Key));
        Assert.Equal(["v0", "v1", "v2"], messages.Select(m => m.Value));
        Assert.Equal([1_000_000L, 1_001_000L, 1_002_000L], messages.Select(m => m.Timestamp.UnixTimestampMs));
        Assert.Equal("t1", Encoding.UTF8.GetString(messages[1].Headers.GetLastBytes("trace")));
        Assert.Null(messages[1].Headers.Single(h => h.Key == "empty").GetValueBytes());

        await admin.DeleteTopicsAsync([topic]);
        await Eventually.WaitAsync(() => _server.Server.Engine.Topics.Find(topic) is null, Timeout, () => "topic deleted");
    }

    [Fact]
    public async Task AdminCreatesTopicsAndCannotDeleteAStreamsTopic()
    {
        var created = Sql.Unique("admin_created");
        var stream = Sql.Unique("admin_stream");
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _server.KafkaBootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = created, NumPartitions = 4, ReplicationFactor = 1 }]);
        var metadata = admin.GetMetadata(created, Timeout);
        Assert.Equal(4, metadata.Topics.Single().Partitions.Count);

        var invalid = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = "no spaces", NumPartitions = 1 }]));
        Assert.Equal(ErrorCode.TopicException, invalid.Results[0].Error.Code);

        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {stream} (id INT) WITH (kafka_topic='{stream}', partitions=1)");
        var refused = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync([stream]));
        Assert.Equal(ErrorCode.PolicyViolation, refused.Results[0].Error.Code);
        Assert.NotNull(_server.Server.Engine.Topics.Find(stream));
    }

    [Fact]
    public async Task GroupOfTwoSplitsPartitionsAndTheSurvivorTakesAllWhenOneCloses()
    {
        var topic = Sql.Unique("confluent_group");
        var group = Sql.Unique("group");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {topic} (id INT KEY, v VARCHAR) WITH (kafka_topic='{topic}', partitions=3)");
        await connection.ExecuteAsync($"INSERT INTO {topic} (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e'), (6, 'f')");

        using var stop = new CancellationTokenSource();
        var consumed = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var first = new ConsumerBuilder<Ignore, string>(ConsumerConfig(group)).Build();
        using var second = new ConsumerBuilder<Ignore, string>(ConsumerConfig(group)).Build();
        using var stopSecond = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var firstLoop = Task.Run(() => PollUntil(first, topic, consumed, stop.Token));
        await Eventually.WaitAsync(() => first.Assignment.Count == 3, Timeout, () => "first consumer owns all 3 partitions");

        var secondLoop = Task.Run(() => PollUntil(second, topic, consumed, stopSecond.Token));
        await Eventually.WaitAsync(
            () => first.Assignment.Count > 0 && second.Assignment.Count > 0 && first.Assignment.Count + second.Assignment.Count == 3,
            Timeout,
            () => $"split: first {first.Assignment.Count}, second {second.Assignment.Count}");
        Assert.Empty(first.Assignment.Intersect(second.Assignment));

        await stopSecond.CancelAsync();
        await secondLoop.WaitAsync(Timeout);
        second.Close();
        await Eventually.WaitAsync(() => first.Assignment.Count == 3, Timeout, () => $"first takes over: it has {first.Assignment.Count}");
        await Eventually.WaitAsync(() => consumed.Distinct().Count() == 6, Timeout, () => $"all 6 values consumed: {string.Join(",", consumed)}");

        await stop.CancelAsync();
        await firstLoop.WaitAsync(Timeout);
        first.Close();
    }

    private static void PollUntil(IConsumer<Ignore, string> consumer, string topic, System.Collections.Concurrent.ConcurrentBag<string> consumed, CancellationToken stop)
    {
        consumer.Subscribe(topic);
        while (!stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                consumed.Add(result.Message.Value);
            }
        }
    }
}
