using System.Buffers;
using System.Buffers.Binary;

namespace StreamSql.Server.Pg;

/// <summary>Reads frontend messages into a pooled buffer; a message body stays valid until the next read.</summary>
public sealed class PgReader : IDisposable
{
    /// <summary>Longest message accepted; a declared length above it is a protocol violation, answered before any of it is read.</summary>
    public const int MaxMessageLength = 256 * 1024 * 1024;

    /// <summary>The body buffer grows as bytes arrive, not as declared, so a lying length costs no memory.</summary>
    private const int GrowthStep = 1024 * 1024;
    private const int MaxStartupLength = 10_000;
    private readonly Stream _stream;
    private readonly byte[] _header = new byte[5];
    private byte[] _body = ArrayPool<byte>.Shared.Rent(8 * 1024);

    public PgReader(Stream stream) => _stream = stream;

    /// <summary>Reads the untyped startup packet (length, then body); null at end of stream.</summary>
    public async Task<ReadOnlyMemory<byte>?> ReadStartupAsync(CancellationToken cancellationToken)
    {
        if (!await ReadExactAsync(_header.AsMemory(0, 4), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(_header);
        if (length is < 8 or > MaxStartupLength)
        {
            throw new PgProtocolException($"invalid length of startup packet: {length}");
        }

        return await ReadBodyAsync(length - 4, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one typed message; null at end of stream between messages; a stream that ends inside a message is a protocol violation.</summary>
    public async Task<(FrontendMessageCode Code, ReadOnlyMemory<byte> Body)?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        if (!await ReadExactAsync(_header.AsMemory(0, 1), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (!await ReadInsideMessageAsync(_header.AsMemory(1), cancellationToken).ConfigureAwait(false))
        {
            throw new PgProtocolException($"incomplete message from client (type '{Printable(_header[0])}')");
        }

        var code = (FrontendMessageCode)_header[0];
        var length = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1));
        if (length < 4 || length > MaxMessageLength)
        {
            throw new PgProtocolException($"invalid message length {length} for message type '{Printable(_header[0])}'");
        }

        ReadOnlyMemory<byte>? body;
        try
        {
            body = await ReadBodyAsync(length - 4, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            body = null;
        }

        return body is { } b ? (code, b) : throw new PgProtocolException($"incomplete message from client (type '{Printable(_header[0])}', {length} bytes declared)");
    }

    /// <summary>A read inside a message: the connection failing there is an incomplete message, not a clean end.</summary>
    private async Task<bool> ReadInsideMessageAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadExactAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Printable(byte b) => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}";

    private async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(int length, CancellationToken cancellationToken)
    {
        if (_body.Length > GrowthStep && length <= GrowthStep)
        {
            // Give a big message's buffer back once messages are small again.
            Replace(ArrayPool<byte>.Shared.Rent(8 * 1024), 0);
        }

        var read = 0;
        while (read < length)
        {
            if (_body.Length == read)
            {
                Replace(ArrayPool<byte>.Shared.Rent(Math.Min(length, Math.Max(_body.Length * 2, GrowthStep))), read);
            }

            var chunk = Math.Min(length, _body.Length) - read;
            if (!await ReadExactAsync(_body.AsMemory(read, chunk), cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            read += chunk;
        }

        return _body.AsMemory(0, length);
    }

    private void Replace(byte[] bigger, int keep)
    {
        _body.AsSpan(0, keep).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_body);
        _body = bigger;
    }

    private async Task<bool> ReadExactAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_body);
        _body = [];
    }
}
