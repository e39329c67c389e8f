using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using StreamSql.Runtime.Topics;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>Fetch v4 by hand: max_wait_ms and min_bytes long-polling against records appended while the fetch waits.</summary>
[Collection(KafkaServerCollection.Name)]
public sealed class FetchLongPollTests(KafkaServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TestServer _server = fixture.Server;

    private static byte[] FetchV4(int correlationId, string topic, long offset, int maxWaitMs, int minBytes)
    {
        var name = Encoding.UTF8.GetBytes(topic);
        var frame = new byte[4 + 10 + 17 + 4 + 2 + name.Length + 4 + 16];
        var span = frame.AsSpan(4);
        BinaryPrimitives.WriteInt16BigEndian(span, 1);
        BinaryPrimitives.WriteInt16BigEndian(span[2..], 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], correlationId);
        BinaryPrimitives.WriteInt16BigEndian(span[8..], -1);
        var at = 10;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[(at + 4)..], maxWaitMs);
        BinaryPrimitives.WriteInt32BigEndian(span[(at + 8)..], minBytes);
        BinaryPrimitives.WriteInt32BigEndian(span[(at + 12)..], 1 << 20);
        span[at + 16] = 0;
        at += 17;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], 1);
        BinaryPrimitives.WriteInt16BigEndian(span[(at + 4)..], (short)name.Length);
        name.CopyTo(span[(at + 6)..]);
        at += 6 + name.Length;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], 1);
        BinaryPrimitives.WriteInt32BigEndian(span[(at + 4)..], 0);
        BinaryPrimitives.WriteInt64BigEndian(span[(at + 8)..], offset);
        BinaryPrimitives.WriteInt32BigEndian(span[(at + 16)..], 1 << 20);
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }

    /// <summary>Sends one fetch and returns (high watermark, size of the records field, elapsed time).</summary>
    private static async Task<(long HighWatermark, int RecordBytes, TimeSpan Elapsed)> FetchAsync(NetworkStream stream, byte[] request, Func<Task>? whileWaiting = null)
    {
        var clock = Stopwatch.StartNew();
        await stream.WriteAsync(request);
        if (whileWaiting is not null)
        {
            await whileWaiting();
        }

        var length = new byte[4];
        await stream.ReadExactlyAsync(length).AsTask().WaitAsync(Timeout);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
        await stream.ReadExactlyAsync(body).AsTask().WaitAsync(Timeout);
        var elapsed = clock.Elapsed;

        // correlation id, throttle, topic count, topic name, partition count, partition, error, hwm, lso, aborted count, records size
        var at = 4 + 4 + 4;
        at += 2 + BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(at));
        at += 4 + 4;
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(at)));
        var highWatermark = BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(at + 2));
        var recordBytes = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at + 2 + 8 + 8 + 4));
        return (highWatermark, recordBytes, elapsed);
    }

    [Fact]
    public async Task AnEmptyPartitionIsHeldForMaxWaitAndANewRecordEndsTheWait()
    {
        var name = Sql.Unique("long_poll");
        var topic = _server.Server.Engine.Topics.GetOrCreate(name, 1);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.KafkaPort);
        await using var stream = client.GetStream();

        var empty = await FetchAsync(stream, FetchV4(1, name, 0, maxWaitMs: 1000, minBytes: 1));
        Assert.Equal((0L, 0), (empty.HighWatermark, empty.RecordBytes));
        Assert.True(empty.Elapsed >= TimeSpan.FromMilliseconds(900), $"answered after {empty.Elapsed}");

        var woken = await FetchAsync(stream, FetchV4(2, name, 0, maxWaitMs: 25_000, minBytes: 1), async () =>
        {
            await Task.Delay(200);
            await topic.AppendAsync(0, [new ProducedRecord(null, "hello"u8.ToArray(), 1)]);
        });
        Assert.Equal(1L, woken.HighWatermark);
        Assert.True(woken.RecordBytes > 0);
        Assert.True(woken.Elapsed < TimeSpan.FromSeconds(15), $"answered after {woken.Elapsed}");
    }

    [Fact]
    public async Task MinBytesKeepsWaitingUntilMaxWaitWhenTooLittleArrives()
    {
        var name = Sql.Unique("min_bytes");
        var topic = _server.Server.Engine.Topics.GetOrCreate(name, 1);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.KafkaPort);
        await using var stream = client.GetStream();

        var result = await FetchAsync(stream, FetchV4(1, name, 0, maxWaitMs: 1500, minBytes: 1 << 20), async () =>
        {
            await topic.AppendAsync(0, [new ProducedRecord(null, "small"u8.ToArray(), 1)]);
        });
        Assert.True(result.RecordBytes > 0);
        Assert.True(result.Elapsed >= TimeSpan.FromMilliseconds(1300), $"answered after {result.Elapsed}");
    }

    [Fact]
    public async Task AnOffsetPastTheEndIsOutOfRange()
    {
        var name = Sql.Unique("out_of_range");
        _server.Server.Engine.Topics.GetOrCreate(name, 1);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.KafkaPort);
        await using var stream = client.GetStream();
        await stream.WriteAsync(FetchV4(1, name, 5, maxWaitMs: 100, minBytes: 1));
        var length = new byte[4];
        await stream.ReadExactlyAsync(length).AsTask().WaitAsync(Timeout);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
        await stream.ReadExactlyAsync(body).AsTask().WaitAsync(Timeout);
        var at = 4 + 4 + 4 + 2 + name.Length + 4 + 4;
        Assert.Equal(1, BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(at)));
    }
}
