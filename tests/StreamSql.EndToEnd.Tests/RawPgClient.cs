using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace StreamSql.EndToEnd.Tests;

/// <summary>A bare TCP client that speaks just enough of the wire protocol to misbehave: raw bytes, abrupt closes, messages read one by one.</summary>
internal sealed class RawPgClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawPgClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawPgClient> ConnectAsync(TestServer server)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", server.PgPort);
        return new RawPgClient(tcp);
    }

    /// <summary>Connects and completes startup (trust authentication) up to the first ReadyForQuery.</summary>
    public static async Task<RawPgClient> StartAsync(TestServer server, string user = "streamsql")
    {
        var client = await ConnectAsync(server);
        await client.SendAsync(StartupPacket(("user", user), ("database", "streamsql")));
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal('R', messages[0].Type);
        return client;
    }

    public static byte[] StartupPacket(params (string Name, string Value)[] parameters)
    {
        var body = new List<byte>();
        body.AddRange([0, 3, 0, 0]);
        foreach (var (name, value) in parameters)
        {
            body.AddRange(Encoding.UTF8.GetBytes(name));
            body.Add(0);
            body.AddRange(Encoding.UTF8.GetBytes(value));
            body.Add(0);
        }

        body.Add(0);
        var packet = new byte[4 + body.Count];
        BinaryPrimitives.WriteInt32BigEndian(packet, packet.Length);
        body.CopyTo(packet, 4);
        return packet;
    }

    /// <summary>A typed message: code, length (body + 4), body.</summary>
    public static byte[] Message(char code, byte[] body)
    {
        var message = new byte[5 + body.Length];
        message[0] = (byte)code;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), body.Length + 4);
        body.CopyTo(message, 5);
        return message;
    }

    public static byte[] Query(string sql) => Message('Q', [.. Encoding.UTF8.GetBytes(sql), 0]);

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>One byte, as the answer to SSLRequest; -1 when the connection closed.</summary>
    public async Task<int> ReadByteAsync()
    {
        var one = new byte[1];
        return await ReadExactAsync(one) ? one[0] : -1;
    }

    /// <summary>The next backend message, or null when the server closed the connection.</summary>
    public async Task<(char Type, byte[] Body)?> ReadMessageAsync()
    {
        var header = new byte[5];
        if (!await ReadExactAsync(header))
        {
            return null;
        }

        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
        return await ReadExactAsync(body) ? ((char)header[0], body) : null;
    }

    public async Task<List<(char Type, byte[] Body)>> ReadUntilReadyAsync()
    {
        var messages = new List<(char, byte[])>();
        while (await ReadMessageAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } message)
        {
            messages.Add(message);
            if (message.Type is 'Z')
            {
                return messages;
            }
        }

        return messages;
    }

    /// <summary>Reads until the server closes the connection; returns what it sent before closing.</summary>
    public async Task<List<(char Type, byte[] Body)>> ReadUntilClosedAsync()
    {
        var messages = new List<(char, byte[])>();
        try
        {
            while (await ReadMessageAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } message)
            {
                messages.Add(message);
            }
        }
        catch (IOException)
        {
            // A reset after the last message is a close as well.
        }

        return messages;
    }

    /// <summary>The SQLSTATE (field 'C') of an ErrorResponse or NoticeResponse body.</summary>
    public static string SqlState(byte[] body) => Field(body, 'C');

    public static string Field(byte[] body, char field)
    {
        var i = 0;
        while (i < body.Length && body[i] != 0)
        {
            var end = Array.IndexOf(body, (byte)0, i + 1);
            if (body[i] == field)
            {
                return Encoding.UTF8.GetString(body, i + 1, end - i - 1);
            }

            i = end + 1;
        }

        return "";
    }

    /// <summary>Closes the socket at once, as a killed client does.</summary>
    public void Abort() => _tcp.Client.Close(0);

    private async Task<bool> ReadExactAsync(byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
