using System.Text;
using Confluent.Kafka;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>PRINT shows records produced by Kafka clients: new ones only without FROM BEGINNING, bytes that are not UTF-8 as \x hex, headers.</summary>
[Collection(KafkaServerCollection.Name)]
public sealed class PrintTests(KafkaServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task PrintWithoutFromBeginningShowsOnlyNewRecords()
    {
        var topic = Sql.Unique("print_new");
        using var producer = new ProducerBuilder<byte[], string>(new ProducerConfig { BootstrapServers = _server.KafkaBootstrap }).Build();
        await producer.ProduceAsync(topic, new Message<byte[], string> { Key = "old"u8.ToArray(), Value = "before PRINT" });

        await using var connection = await _server.ConnectAsync();
        var print = connection.RowsAsync($"PRINT '{topic}' LIMIT 1");

        // PRINT fixes its start when it runs; keep producing until its first row arrives, which must be a new record.
        var deadline = DateTime.UtcNow + Timeout;
        while (!print.IsCompleted && DateTime.UtcNow < deadline)
        {
            var headers = new Headers { { "trace", "t1"u8.ToArray() } };
            await producer.ProduceAsync(topic, new Message<byte[], string> { Key = [0xff, 0x00, 0x7f], Value = "after PRINT", Headers = headers });
            await Task.WhenAny(print, Task.Delay(100));
        }

        var rows = await print.WaitAsync(TimeSpan.FromSeconds(1));
        var fields = Assert.Single(rows).Split('|');
        Assert.NotEqual("0", fields[2]);
        Assert.Equal(["0", @"\xff007f", "after PRINT", "trace=t1"], [fields[1], fields[3], fields[4], fields[5]]);

        var all = await connection.RowsAsync($"PRINT '{topic}' FROM BEGINNING LIMIT 2");
        Assert.Equal(["0|old|before PRINT|NULL", @"1|\xff007f|after PRINT|trace=t1"], all.Select(r => string.Join('|', r.Split('|')[2..])));
        Assert.Equal("before PRINT", Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(all[0].Split('|')[4])));
    }
}
