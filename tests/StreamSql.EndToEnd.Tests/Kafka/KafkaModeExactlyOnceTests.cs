using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>
/// Kafka mode under kill -9: server B keeps its topics in server A's Kafka endpoint and commits each batch's output with
/// its input offsets in one Kafka transaction. B is killed at random moments while a producer writes into A; after each
/// restart B's transactional producer fences the dead instance (its open transaction is aborted) and resumes from the
/// offsets committed with its last transaction. In the end every output equals the same SQL over the input, and a
/// read-committed consumer of the output topic sees each record once.
/// </summary>
public sealed class KafkaModeExactlyOnceTests(ITestOutputHelper report)
{
    [Fact]
    public async Task AKilledKafkaModeServerWritesEveryOutputRecordOnce()
    {
        await using var cluster = await TestServer.StartAsync();
        var dataDirectory = Directory.CreateTempSubdirectory("streamsql-kafkamode-eo-").FullName;
        var server = new ServerProcess(dataDirectory, "--kafka", cluster.KafkaBootstrap, "--checkpoint-interval", "500ms");
        try
        {
            await server.StartAsync();
            await using (var setup = await server.ConnectAsync())
            {
                await setup.ExecuteAsync("CREATE STREAM keo_src (id INT KEY, v INT) WITH (partitions=2)");
                await setup.ExecuteAsync("CREATE STREAM keo_out AS SELECT id, v * 10 AS w FROM keo_src WHERE v % 3 <> 0");
                await setup.ExecuteAsync("CREATE TABLE keo_counts AS SELECT v, count(*) AS n, sum(id) AS s FROM keo_src GROUP BY v");
            }

            var random = new Random(20261125);
            var nextId = 0;
            const int kills = 3;
            for (var kill = 0; kill < kills; kill++)
            {
                // A round of input, acknowledged by A, then B dies while it is processing it.
                using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
                       {
                           BootstrapServers = cluster.KafkaBootstrap, EnableIdempotence = true, LingerMs = 5, Partitioner = Partitioner.Murmur2Random,
                       }).Build())
                {
                    for (var i = 0; i < 3000; i++, nextId++)
                    {
                        var key = new byte[4];
                        BinaryPrimitives.WriteInt32BigEndian(key, nextId);
                        producer.Produce("keo_src", new Message<byte[], byte[]> { Key = key, Value = Encoding.UTF8.GetBytes($"{{\"v\":{nextId % 7}}}") });
                    }

                    Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
                }

                await Task.Delay(random.Next(100, 1500));
                await server.KillAsync();
                await server.StartAsync();
            }

            await using var check = await server.ConnectAsync();
            await check.ExecuteAsync("FLUSH");
            var source = await check.RowsAsync("SELECT id, v FROM keo_src");
            Assert.Equal(nextId, source.Count);
            var expected = source.Select(r => r.Split('|')).Where(r => int.Parse(r[1]) % 3 != 0).Select(r => $"{r[0]}|{int.Parse(r[1]) * 10}").Order().ToList();
            Assert.Equal(expected, (await check.RowsAsync("SELECT id, w FROM keo_out")).Order().ToList());
            Assert.Equal((await check.RowsAsync("SELECT v, count(*), sum(id) FROM keo_src GROUP BY v")).Order(),
                (await check.RowsAsync("SELECT v, n, s FROM keo_counts")).Order());

            // The output topic itself, read committed from A: each record once (every id is in its key or value), nothing from
            // aborted transactions.
            using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
            {
                BootstrapServers = cluster.KafkaBootstrap, GroupId = "keo-check", AutoOffsetReset = AutoOffsetReset.Earliest,
                IsolationLevel = IsolationLevel.ReadCommitted, EnableAutoCommit = false,
            }).Build();
            consumer.Assign([new TopicPartitionOffset("keo_out", 0, Offset.Beginning), new TopicPartitionOffset("keo_out", 1, Offset.Beginning)]);
            var seen = new List<string>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (seen.Count < expected.Count && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { Message: { } message })
                {
                    seen.Add(Convert.ToHexString(message.Key ?? []) + Encoding.UTF8.GetString(message.Value));
                }
            }

            // Anything beyond the expected count would arrive right behind it.
            while (consumer.Consume(TimeSpan.FromSeconds(1)) is { Message: { } extra })
            {
                seen.Add(Convert.ToHexString(extra.Key ?? []) + Encoding.UTF8.GetString(extra.Value));
            }

            Assert.Equal(expected.Count, seen.Count);
            Assert.Equal(seen.Count, seen.Distinct().Count());

            // The input offsets were committed by B's transactions to the query's group in A: together, the whole input.
            var queryId = (await check.RowsAsync("SHOW QUERIES")).Select(r => r.Split('|')[0]).Single(id => id.StartsWith("csas_keo_out", StringComparison.Ordinal));
            using var group = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = cluster.KafkaBootstrap, GroupId = $"streamsql-default-{queryId}" }).Build();
            var committed = group.Committed([new TopicPartition("keo_src", 0), new TopicPartition("keo_src", 1)], TimeSpan.FromSeconds(30));
            Assert.Equal(nextId, committed.Sum(c => c.Offset.Value));
            report.WriteLine($"Kafka mode: {kills} kills, {nextId} events, {expected.Count} output records, each once; 0 mismatches");
        }
        finally
        {
            server.Dispose();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
