using System.Buffers.Binary;
using System.Net.Sockets;
using Confluent.Kafka;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>Raw bytes at the Kafka port: garbage and impossible lengths close that connection only; unknown requests get an error answer.</summary>
[Collection(KafkaServerCollection.Name)]
public sealed class MalformedRequestTests(KafkaServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TestServer _server = fixture.Server;

    private async Task<NetworkStream> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.KafkaPort);
        return client.GetStream();
    }

    private static async Task AssertClosedAsync(NetworkStream stream)
    {
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
        Assert.Equal(0, read);
    }

    private static byte[] Frame(short apiKey, short version, int correlationId, ReadOnlySpan<byte> body)
    {
        var frame = new byte[4 + 2 + 2 + 4 + 2 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), apiKey);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), version);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), correlationId);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), -1);
        body.CopyTo(frame.AsSpan(14));
        return frame;
    }

    private static async Task<byte[]> ReadResponseAsync(NetworkStream stream)
    {
        var length = new byte[4];
        await stream.ReadExactlyAsync(length).AsTask().WaitAsync(Timeout);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
        await stream.ReadExactlyAsync(body).AsTask().WaitAsync(Timeout);
        return body;
    }

    [Fact]
    public async Task AOneGigabyteDeclaredLengthClosesTheConnection()
    {
        await using var stream = await ConnectAsync();
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, 1 << 30);
        await stream.WriteAsync(header);
        await AssertClosedAsync(stream);
    }

    [Fact]
    public async Task RandomBytesCloseTheConnection()
    {
        await using var stream = await ConnectAsync();
        var garbage = new byte[4096];
        new Random(6).NextBytes(garbage);
        garbage[0] |= 0x80; // a negative length, whatever the seed gives
        await stream.WriteAsync(garbage);
        await AssertClosedAsync(stream);
    }

    [Fact]
    public async Task AFieldRunningPastTheRequestClosesTheConnection()
    {
        await using var stream = await ConnectAsync();

        // Metadata v1 whose topic array claims a million entries in four bytes.
        var body = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(body, 1_000_000);
        await stream.WriteAsync(Frame(3, 1, 7, body));
        await AssertClosedAsync(stream);
    }

    [Fact]
    public async Task UnknownApiKeysAndVersionsGetAnErrorAndTheConnectionStaysUsable()
    {
        await using var stream = await ConnectAsync();

        await stream.WriteAsync(Frame(999, 0, 41, []));
        var unknown = await ReadResponseAsync(stream);
        Assert.Equal(41, BinaryPrimitives.ReadInt32BigEndian(unknown));
        Assert.Equal(35, BinaryPrimitives.ReadInt16BigEndian(unknown.AsSpan(4)));

        // ApiVersions at a version we do not serve: a v0 answer with UNSUPPORTED_VERSION and our ranges (KIP-511).
        await stream.WriteAsync(Frame(18, 99, 42, []));
        var fallback = await ReadResponseAsync(stream);
        Assert.Equal(42, BinaryPrimitives.ReadInt32BigEndian(fallback));
        Assert.Equal(35, BinaryPrimitives.ReadInt16BigEndian(fallback.AsSpan(4)));
        var apiCount = BinaryPrimitives.ReadInt32BigEndian(fallback.AsSpan(6));
        var ranges = Enumerable.Range(0, apiCount).Select(i => (
            Key: BinaryPrimitives.ReadInt16BigEndian(fallback.AsSpan(10 + (i * 6))),
            Max: BinaryPrimitives.ReadInt16BigEndian(fallback.AsSpan(14 + (i * 6))))).ToList();
        Assert.Contains(((short)18, (short)3), ranges);

        // The same connection still answers a valid request.
        await stream.WriteAsync(Frame(18, 0, 43, []));
        var ok = await ReadResponseAsync(stream);
        Assert.Equal(43, BinaryPrimitives.ReadInt32BigEndian(ok));
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(ok.AsSpan(4)));
    }

    [Fact]
    public async Task ApiVersionsV3UsesTheFlexibleEncodingWithAV0ResponseHeader()
    {
        await using var stream = await ConnectAsync();

        // Request header v2 (client id, then an empty tagged-field section); body: compact strings and tagged fields.
        byte[] body = [0x00, 0x05, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0x04, (byte)'1', (byte)'.', (byte)'0', 0x00];
        await stream.WriteAsync(Frame(18, 3, 44, body));
        var response = await ReadResponseAsync(stream);

        Assert.Equal(44, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
        var apiCount = response[6] - 1; // compact array: count + 1, one byte while under 127
        var keys = new List<short>();
        for (var i = 0; i < apiCount; i++)
        {
            var at = 7 + (i * 7); // key, min, max, empty tagged fields
            keys.Add(BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(at)));
            Assert.Equal(0, response[at + 6]);
        }

        var end = 7 + (apiCount * 7);
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(end)));
        Assert.Equal(0, response[end + 4]);
        Assert.Equal(end + 5, response.Length);
        Assert.Equal(new short[] { 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20, 22, 24, 25, 26, 28 }, keys.Order());
    }

    [Fact]
    public async Task ARealClientStillWorksAfterMalformedConnections()
    {
        for (var i = 0; i < 3; i++)
        {
            await using var stream = await ConnectAsync();
            await stream.WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3 });
            await AssertClosedAsync(stream);
        }

        var topic = Sql.Unique("after_garbage");
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = _server.KafkaBootstrap }).Build();
        var result = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "still here" }).WaitAsync(Timeout);
        Assert.Equal(PersistenceStatus.Persisted, result.Status);
        Assert.Equal(1, _server.Server.Engine.Topics.Find(topic)!.EndOffset(0));
    }
}
