using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>
/// kill -9 of the server process while a transactional producer commits transaction after transaction across two topics:
/// after each restart every transaction is in both topics whole, or not at all; every commit the client saw succeed is
/// there, and nothing is there twice.
/// </summary>
public sealed class KafkaTransactionCrashTests : IDisposable
{
    private const int RecordsPerTopic = 20;
    private const int Kills = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _server = new(Directory.CreateTempSubdirectory("streamsql-txn-crash-").FullName);

    private string Bootstrap => $"127.0.0.1:{_server.KafkaPort}";

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_server.DataDirectory, recursive: true);
    }

    [Fact]
    public async Task SigkilledCommitsAreAllOrNothingAcrossTopics()
    {
        await _server.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "crash_a", NumPartitions = 2 }, new TopicSpecification { Name = "crash_b", NumPartitions = 1 }]);
        }

        var succeeded = new HashSet<int>();
        var failed = new HashSet<int>();
        var next = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            var committed = 0;
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(() =>
            {
                using var producer = new ProducerBuilder<string, string>(new ProducerConfig
                {
                    BootstrapServers = Bootstrap,
                    TransactionalId = "crash-writer",
                    TransactionTimeoutMs = 10_000,
                }).Build();
                producer.InitTransactions(Timeout);
                while (!stop.IsCancellationRequested)
                {
                    var txn = next++;
                    try
                    {
                        producer.BeginTransaction();
                        for (var i = 0; i < RecordsPerTopic; i++)
                        {
                            producer.Produce("crash_a", new Message<string, string> { Key = $"{txn}-{i}", Value = txn.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                            producer.Produce("crash_b", new Message<string, string> { Key = $"{txn}-{i}", Value = txn.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                        }

                        producer.CommitTransaction(TimeSpan.FromSeconds(10));
                        lock (succeeded)
                        {
                            succeeded.Add(txn);
                        }

                        Interlocked.Increment(ref committed);
                    }
                    catch (KafkaException)
                    {
                        // Killed mid-transaction: its outcome is whatever the restarted server says.
                        lock (succeeded)
                        {
                            failed.Add(txn);
                        }

                        return;
                    }
                }
            });

            // Kill at a varying point of the commit stream.
            await Eventually.WaitAsync(() => Volatile.Read(ref committed) >= 3 + (kill * 2) || writer.IsCompleted, Timeout, () => "transactions committed");
            await _server.KillAsync();
            stop.Cancel();
            await writer.WaitAsync(Timeout);
            await _server.StartAsync();
        }

        var a = ReadAll("crash_a", 2);
        var b = ReadAll("crash_b", 1);
        foreach (var txn in succeeded)
        {
            Assert.True(a.GetValueOrDefault(txn) == RecordsPerTopic && b.GetValueOrDefault(txn) == RecordsPerTopic, $"committed transaction {txn}: {a.GetValueOrDefault(txn)} records in crash_a, {b.GetValueOrDefault(txn)} in crash_b");
        }

        foreach (var txn in a.Keys.Union(b.Keys))
        {
            Assert.True(succeeded.Contains(txn) || failed.Contains(txn), $"transaction {txn} was never written");
            Assert.Equal((RecordsPerTopic, RecordsPerTopic), (a.GetValueOrDefault(txn), b.GetValueOrDefault(txn)));
        }
    }

    // Records per transaction number in a topic, read to its end with read_committed.
    private Dictionary<int, int> ReadAll(string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "crash-reader-" + topic,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnableAutoCommit = false,
        }).Build();
        var ends = Enumerable.Range(0, partitions).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), Timeout).High.Value).ToArray();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var counts = new Dictionary<int, int>();
        var read = 0L;
        var deadline = DateTime.UtcNow + Timeout;
        while (read < ends.Sum())
        {
            Assert.True(DateTime.UtcNow < deadline, $"read {read} of {ends.Sum()} records of {topic}");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                var txn = int.Parse(result.Message.Value, System.Globalization.CultureInfo.InvariantCulture);
                counts[txn] = counts.GetValueOrDefault(txn) + 1;
                read++;
            }
        }

        consumer.Close();
        return counts;
    }
}
