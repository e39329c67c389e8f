using System.Buffers.Binary;
using System.Diagnostics;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// Millions of distinct keys through a persistent GROUP BY with --state-memory 64MB: the state spills to disk (FASTER's
/// hybrid log), the results are right, and the server's peak resident memory stays under 1 GiB.
/// </summary>
public sealed class StateScaleTests(ITestOutputHelper output) : IDisposable
{
    // Every key once; the first tenth of them a second time, so updates read state that has spilled to disk.
    private static readonly int Keys = int.TryParse(Environment.GetEnvironmentVariable("STREAMSQL_STATE_TEST_KEYS"), out var n) ? n : 5_000_000;
    private readonly ServerProcess _server = new(Directory.CreateTempSubdirectory("streamsql-state-").FullName, "--state-memory", "64MB");

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_server.DataDirectory, recursive: true);
    }

    [Fact]
    [Trait("Category", "State")]
    public async Task FiveMillionKeysAggregateRightWithinAGibibyte()
    {
        await _server.StartAsync();
        await using var connection = await _server.ConnectAsync(commandTimeoutSeconds: 900);
        await connection.ExecuteAsync("CREATE STREAM scale_src (k BIGINT KEY, v INT) WITH (partitions=1)");
        await connection.ExecuteAsync("CREATE TABLE scale_counts AS SELECT k, count(*) AS n, sum(v) AS s FROM scale_src GROUP BY k");

        var clock = Stopwatch.StartNew();
        var repeated = Keys / 10;
        var config = new ProducerConfig { BootstrapServers = $"127.0.0.1:{_server.KafkaPort}", LingerMs = 20, BatchSize = 1_000_000, QueueBufferingMaxMessages = 1_000_000 };
        using (var producer = new ProducerBuilder<byte[], byte[]>(config).Build())
        {
            var value = "{\"v\":1}"u8.ToArray();
            for (long i = 0; i < Keys + repeated; i++)
            {
                var key = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(key, i % Keys);
                while (true)
                {
                    try
                    {
                        producer.Produce("scale_src", new Message<byte[], byte[]> { Key = key, Value = value });
                        break;
                    }
                    catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(50));
                    }
                }
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromMinutes(5)));
        }

        var produced = clock.Elapsed;
        await connection.ExecuteAsync("FLUSH");
        var processed = clock.Elapsed;

        // Spot checks read keys whose state was updated after spilling (the first one starts the table's materialization, and
        // waits for it); then SHOW TABLES counts the table's rows exactly.
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            var key = random.NextInt64(Keys);
            var expected = key < repeated ? "2|2" : "1|1";
            Assert.Equal([expected], await connection.RowsAsync($"SELECT n, s FROM scale_counts WHERE k = {key}"));
        }

        var table = Assert.Single(await connection.RowsAsync("SHOW TABLES")).Split('|');
        Assert.Equal(Keys.ToString(System.Globalization.CultureInfo.InvariantCulture), table[^1]);

        var describe = await connection.RowsAsync("DESCRIBE EXTENDED scale_counts");
        Assert.Contains($"(state entries)|{Keys}|", describe);
        var peak = _server.PeakResidentBytes();
        output.WriteLine($"{Keys + repeated:N0} records, {Keys:N0} keys: produced in {produced.TotalSeconds:F1} s, processed by {processed.TotalSeconds:F1} s; "
            + $"peak RSS {peak / (1 << 20)} MiB; {string.Join("; ", describe.Where(r => r.StartsWith("(state", StringComparison.Ordinal)))}");
        Assert.True(peak < 1L << 30, $"peak RSS {peak / (1 << 20)} MiB is not under 1 GiB");
    }
}
