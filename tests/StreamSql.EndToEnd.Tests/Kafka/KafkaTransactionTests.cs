using Confluent.Kafka;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>
/// Confluent.Kafka transactional producers against the embedded broker: records become visible to read_committed
/// consumers, SQL and kcat only at commit, aborted and fenced transactions leave nothing, and offsets sent to a
/// transaction move the group only when it commits.
/// </summary>
[Collection(KafkaServerCollection.Name)]
public sealed class KafkaTransactionTests(KafkaServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestServer _server = fixture.Server;

    private IProducer<string, string> TransactionalProducer(string transactionalId)
    {
        var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = _server.KafkaBootstrap,
            TransactionalId = transactionalId,
            LingerMs = 5,
        }).Build();
        producer.InitTransactions(Timeout);
        return producer;
    }

    private IConsumer<string, string> Consumer(string group, IsolationLevel isolation = IsolationLevel.ReadCommitted) =>
        new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _server.KafkaBootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            IsolationLevel = isolation,
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 300,
        }).Build();

    private async Task ProducePlainAsync(string topic, string value)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _server.KafkaBootstrap }).Build();
        var result = await producer.ProduceAsync(topic, new Message<string, string> { Key = "plain", Value = value }).WaitAsync(Timeout);
        Assert.Equal(PersistenceStatus.Persisted, result.Status);
    }

    /// <summary>Consumes the assigned partitions until a record with value stop arrives; returns every value seen per topic (stop included).</summary>
    private static Dictionary<string, List<string>> ConsumeUntil(IConsumer<string, string> consumer, Func<Dictionary<string, List<string>>, bool> done)
    {
        var seen = new Dictionary<string, List<string>>();
        var deadline = DateTime.UtcNow + Timeout;
        while (!done(seen))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out consuming; seen so far: {string.Join("; ", seen.Select(s => $"{s.Key}: {string.Join(",", s.Value)}"))}");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                (seen.TryGetValue(result.Topic, out var list) ? list : seen[result.Topic] = []).Add(result.Message.Value);
            }
        }

        return seen;
    }

    private static int Count(Dictionary<string, List<string>> seen, string topic) => seen.TryGetValue(topic, out var list) ? list.Count : 0;

    private static void Assign(IConsumer<string, string> consumer, params string[] topics) =>
        consumer.Assign(topics.Select(t => new TopicPartitionOffset(t, 0, Offset.Beginning)));

    [Fact]
    public async Task ACommittedTransactionAcrossTwoTopicsIsInvisibleUntilCommitThenSeenByConsumersSqlAndKcat()
    {
        var a = Sql.Unique("txn_a");
        var b = Sql.Unique("txn_b");
        var marker = Sql.Unique("txn_marker");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {a} (k VARCHAR KEY, n INT) WITH (kafka_topic='{a}', value_format='JSON', partitions=1)");
        await connection.ExecuteAsync($"CREATE STREAM {b} (k VARCHAR KEY, n INT) WITH (kafka_topic='{b}', value_format='JSON', partitions=1)");
        await connection.ExecuteAsync($"CREATE STREAM {marker} (k VARCHAR KEY, n INT) WITH (kafka_topic='{marker}', value_format='JSON', partitions=1)");

        using var producer = TransactionalProducer(Sql.Unique("txn-commit"));
        producer.BeginTransaction();
        for (var i = 0; i < 5; i++)
        {
            producer.Produce(a, new Message<string, string> { Key = $"a{i}", Value = $"{{\"n\":{i}}}" });
            producer.Produce(b, new Message<string, string> { Key = $"b{i}", Value = $"{{\"n\":{i + 100}}}" });
        }

        // Every record reached the broker (flush waits for the produce responses), yet nothing may be visible.
        Assert.Equal(0, producer.Flush(Timeout));
        await ProducePlainAsync(marker, "{\"n\":-1}");

        using var consumer = Consumer(Sql.Unique("txn-reader"));
        Assign(consumer, a, b, marker);
        var before = ConsumeUntil(consumer, seen => Count(seen, marker) == 1);
        Assert.Equal((0, 0), (Count(before, a), Count(before, b)));
        Assert.Equal((0L, 0L), (consumer.QueryWatermarkOffsets(new TopicPartition(a, 0), Timeout).High.Value, consumer.QueryWatermarkOffsets(new TopicPartition(b, 0), Timeout).High.Value));
        Assert.Empty(await connection.RowsAsync($"SELECT k, n FROM {a}"));
        Assert.Empty(await connection.RowsAsync($"SELECT k, n FROM {b}"));

        producer.CommitTransaction(Timeout);

        var after = ConsumeUntil(consumer, seen => Count(seen, a) >= 5 && Count(seen, b) >= 5);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{{\"n\":{i}}}"), after[a]);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{{\"n\":{i + 100}}}"), after[b]);
        consumer.Close();

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"a{i}|{i}"), (await connection.RowsAsync($"SELECT k, n FROM {a}")).Order());
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"b{i}|{i + 100}"), (await connection.RowsAsync($"SELECT k, n FROM {b}")).Order());

        var (exit, output, error) = await KcatProcess.RunAsync(
            ["-b", _server.KafkaBootstrap, "-C", "-X", "isolation.level=read_committed", "-t", a, "-e", "-q", "-f", "%k\n"], null, Timeout);
        Assert.True(exit == 0, error);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"a{i}"), output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task AnAbortedTransactionsRecordsAreNeverVisible()
    {
        var topic = Sql.Unique("txn_abort");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {topic} (k VARCHAR KEY, n INT) WITH (kafka_topic='{topic}', value_format='JSON', partitions=2)");

        using var producer = TransactionalProducer(Sql.Unique("txn-abort"));
        producer.BeginTransaction();
        for (var i = 0; i < 10; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = $"aborted{i}", Value = $"{{\"n\":{i}}}" });
        }

        Assert.Equal(0, producer.Flush(Timeout));
        producer.AbortTransaction(Timeout);

        producer.BeginTransaction();
        producer.Produce(topic, new Message<string, string> { Key = "kept0", Value = "{\"n\":100}" });
        producer.Produce(topic, new Message<string, string> { Key = "kept1", Value = "{\"n\":101}" });
        producer.CommitTransaction(Timeout);

        foreach (var isolation in new[] { IsolationLevel.ReadCommitted, IsolationLevel.ReadUncommitted })
        {
            using var consumer = Consumer(Sql.Unique("txn-abort-reader"), isolation);
            consumer.Assign([new TopicPartitionOffset(topic, 0, Offset.Beginning), new TopicPartitionOffset(topic, 1, Offset.Beginning)]);
            var seen = ConsumeUntil(consumer, s => Count(s, topic) >= 2);
            Assert.Equal(["{\"n\":100}", "{\"n\":101}"], seen[topic].Order());
            var ends = new[] { 0, 1 }.Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), Timeout).High.Value);
            Assert.Equal(2, ends);
            consumer.Close();
        }

        Assert.Equal(["kept0|100", "kept1|101"], (await connection.RowsAsync($"SELECT k, n FROM {topic}")).Order());
    }

    [Fact]
    public async Task ASecondProducerWithTheSameTransactionalIdFencesTheFirst()
    {
        var topic = Sql.Unique("txn_fence");
        var transactionalId = Sql.Unique("txn-fence");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {topic} (k VARCHAR KEY, n INT) WITH (kafka_topic='{topic}', value_format='JSON', partitions=1)");

        using var zombie = TransactionalProducer(transactionalId);
        zombie.BeginTransaction();
        for (var i = 0; i < 3; i++)
        {
            zombie.Produce(topic, new Message<string, string> { Key = $"zombie{i}", Value = $"{{\"n\":{i}}}" });
        }

        Assert.Equal(0, zombie.Flush(Timeout));

        using var successor = TransactionalProducer(transactionalId);
        successor.BeginTransaction();
        successor.Produce(topic, new Message<string, string> { Key = "successor", Value = "{\"n\":42}" });
        successor.CommitTransaction(Timeout);

        var refused = Assert.ThrowsAny<KafkaException>(() => zombie.CommitTransaction(Timeout));
        Assert.True(
            refused.Error.Code is ErrorCode.Local_Fenced or ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch || refused.Error.IsFatal,
            $"expected a fenced error, got {refused.Error.Code}: {refused.Error.Reason}");

        using var consumer = Consumer(Sql.Unique("txn-fence-reader"));
        Assign(consumer, topic);
        var seen = ConsumeUntil(consumer, s => Count(s, topic) >= 1);
        Assert.Equal(["{\"n\":42}"], seen[topic]);
        Assert.Equal(1, consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), Timeout).High.Value);
        consumer.Close();
        Assert.Equal(["successor|42"], await connection.RowsAsync($"SELECT k, n FROM {topic}"));
    }

    [Fact]
    public async Task OffsetsSentToATransactionMoveTheGroupOnlyWhenItCommits()
    {
        var input = Sql.Unique("txn_in");
        var output = Sql.Unique("txn_out");
        var group = Sql.Unique("txn-ctp");
        using (var plain = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _server.KafkaBootstrap }).Build())
        {
            for (var i = 0; i < 6; i++)
            {
                await plain.ProduceAsync(input, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }).WaitAsync(Timeout);
            }
        }

        using var consumer = Consumer(group);
        consumer.Subscribe(input);
        using var producer = TransactionalProducer(Sql.Unique("txn-ctp"));
        var partition = new TopicPartition(input, 0);

        // Consume-transform-produce of the first four records, committed.
        var consumed = ConsumeUntil(consumer, s => Count(s, input) >= 4);
        producer.BeginTransaction();
        foreach (var value in consumed[input])
        {
            producer.Produce(output, new Message<string, string> { Key = value, Value = value.ToUpperInvariant() });
        }

        producer.SendOffsetsToTransaction([new TopicPartitionOffset(partition, 4)], consumer.ConsumerGroupMetadata, Timeout);
        producer.CommitTransaction(Timeout);
        Assert.Equal(4, consumer.Committed([partition], Timeout).Single().Offset.Value);

        // The last two, aborted: the group stays at 4 and their output never appears.
        var rest = ConsumeUntil(consumer, s => Count(s, input) >= 2);
        producer.BeginTransaction();
        foreach (var value in rest[input])
        {
            producer.Produce(output, new Message<string, string> { Key = value, Value = value.ToUpperInvariant() });
        }

        producer.SendOffsetsToTransaction([new TopicPartitionOffset(partition, 6)], consumer.ConsumerGroupMetadata, Timeout);
        producer.AbortTransaction(Timeout);
        Assert.Equal(4, consumer.Committed([partition], Timeout).Single().Offset.Value);
        consumer.Close();

        using var reader = Consumer(Sql.Unique("txn-ctp-reader"));
        Assign(reader, output);
        var outputSeen = ConsumeUntil(reader, s => Count(s, output) >= 4);
        Assert.Equal(["V0", "V1", "V2", "V3"], outputSeen[output]);
        Assert.Equal(4, reader.QueryWatermarkOffsets(new TopicPartition(output, 0), Timeout).High.Value);
        reader.Close();
    }

    [Fact]
    public async Task ATransactionOpenLongerThanItsTimeoutIsAbortedAndItsProducerFenced()
    {
        var topic = Sql.Unique("txn_timeout");
        var transactionalId = Sql.Unique("txn-timeout");
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = _server.KafkaBootstrap,
            TransactionalId = transactionalId,
            TransactionTimeoutMs = 2_000,
        }).Build();
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        producer.Produce(topic, new Message<string, string> { Key = "late", Value = "never" });
        Assert.Equal(0, producer.Flush(Timeout));

        await Eventually.WaitAsync(() => CapturedLog.Warnings(transactionalId).Any(m => m.Contains("timed out", StringComparison.Ordinal)), Timeout, () => "the transaction timed out");
        var refused = Assert.ThrowsAny<KafkaException>(() => producer.CommitTransaction(Timeout));
        Assert.True(
            refused.Error.Code is ErrorCode.Local_Fenced or ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch || refused.Error.IsFatal,
            $"expected a fenced error, got {refused.Error.Code}: {refused.Error.Reason}");

        // The id is usable again by a new producer, and the timed-out record never appears.
        using var next = TransactionalProducer(transactionalId);
        next.BeginTransaction();
        next.Produce(topic, new Message<string, string> { Key = "next", Value = "kept" });
        next.CommitTransaction(Timeout);
        using var consumer = Consumer(Sql.Unique("txn-timeout-reader"));
        Assign(consumer, topic);
        Assert.Equal(["kept"], ConsumeUntil(consumer, s => Count(s, topic) >= 1)[topic]);
        Assert.Equal(1, consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), Timeout).High.Value);
        consumer.Close();
    }
}
