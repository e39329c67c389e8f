using System.Buffers.Binary;
using System.Text;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Bad protocol input ends only the connection that sent it, with a log line; the server keeps serving everyone else.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class ProtocolRobustnessTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    public static TheoryData<string, byte[]> BadMessages() => new()
    {
        { "a 1 GB declared length", Header('Q', 1 << 30) },
        { "a length below 4", Header('Q', 2) },
        { "a negative length", Header('P', -5) },
        { "an unknown message type", RawPgClient.Message('@', [1, 2, 3]) },
        { "a query without its terminator", RawPgClient.Message('Q', Encoding.UTF8.GetBytes("SELECT 1")) },
        { "a Parse cut short", RawPgClient.Message('P', [0, (byte)'S', 0, 0]) },
        { "a Bind with more parameters than bytes", RawPgClient.Message('B', [0, 0, 0, 0, 0, 9, 0, 0, 0, 200, 1]) },
        { "a Bind with a bad format code", RawPgClient.Message('B', [0, 0, 0, 1, 0, 7, 0, 0, 0, 0]) },
        { "a Describe of an unknown kind", RawPgClient.Message('D', [(byte)'Z', 0]) },
        { "an Execute without its row limit", RawPgClient.Message('E', [0, 1]) },
    };

    [Theory]
    [MemberData(nameof(BadMessages))]
    public async Task AMalformedMessageClosesOnlyItsConnection(string what, byte[] bytes)
    {
        await using var bystander = await _server.ConnectAsync();
        var client = await RawPgClient.StartAsync(_server);

        await client.SendAsync(bytes);
        var answer = await client.ReadUntilClosedAsync();

        Assert.True(answer.Count > 0 && answer[^1].Type == 'E', $"{what}: expected a FATAL error before the close, got {string.Join(",", answer.Select(m => m.Type))}");
        Assert.Equal(("FATAL", "08P01"), (RawPgClient.Field(answer[^1].Body, 'S'), RawPgClient.SqlState(answer[^1].Body)));
        Assert.NotEmpty(CapturedLog.Warnings("protocol violation"));
        Assert.Equal(["1"], await bystander.RowsAsync("SHOW extra_float_digits"));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task ATruncatedMessageIsLoggedWhenTheClientLeaves()
    {
        var client = await RawPgClient.StartAsync(_server);
        await client.SendAsync([.. Header('Q', 100), .. "SELECT"u8]);
        client.Abort();

        await Wait.UntilAsync(() => CapturedLog.Warnings("incomplete message from client (type 'Q', 100 bytes declared)").Count > 0, "the truncated message is logged");
        await using var connection = await _server.ConnectAsync();
        Assert.Equal(["1"], await connection.RowsAsync("SHOW extra_float_digits"));
    }

    [Fact]
    public async Task BadStartupPacketsAreRefused()
    {
        byte[][] packets =
        [
            [0, 0, 0, 2],
            [0x40, 0, 0, 0, 1, 2, 3],
            [0, 0, 0, 8, 0, 2, 0, 0],
            [0, 0, 0, 12, 4, 210, 22, 46, 0, 0, 0, 1],
            RawPgClient.StartupPacket(("database", "streamsql")),
            Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ];
        foreach (var packet in packets)
        {
            var client = await RawPgClient.ConnectAsync(_server);
            await client.SendAsync(packet);
            var answer = await client.ReadUntilClosedAsync();
            Assert.All(answer, m => Assert.Equal('E', m.Type));
            await client.DisposeAsync();
        }

        await using var connection = await _server.ConnectAsync();
        Assert.Equal(["1"], await connection.RowsAsync("SHOW extra_float_digits"));
    }

    [Fact]
    public async Task RandomBytesNeverHurtTheServer()
    {
        var random = new Random(20261125);
        for (var i = 0; i < 100; i++)
        {
            var client = await RawPgClient.StartAsync(_server);
            var garbage = new byte[random.Next(5, 300)];
            random.NextBytes(garbage);
            if (i % 2 == 0)
            {
                // Half the time, a plausible message type and length with random contents.
                garbage[0] = (byte)"PBDECSHQ"[random.Next(8)];
                BinaryPrimitives.WriteInt32BigEndian(garbage.AsSpan(1), Math.Max(4, garbage.Length - 1 - random.Next(0, 3)));
            }

            await client.SendAsync(garbage);
            client.Abort();
        }

        await using var connection = await _server.ConnectAsync();
        Assert.Equal(["1"], await connection.RowsAsync("SHOW extra_float_digits"));
    }

    private static byte[] Header(char code, int length)
    {
        var header = new byte[5];
        header[0] = (byte)code;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), length);
        return header;
    }
}
