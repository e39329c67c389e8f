using System.Buffers.Binary;
using System.Text;

namespace StreamSql.Server.Pg;

/// <summary>Reads frontend messages from the socket; a message body is exposed as a cursor over its bytes.</summary>
public sealed class PgReader
{
    public const int MaxMessageLength = 256 * 1024 * 1024;
    private readonly Stream _stream;
    private readonly byte[] _header = new byte[5];

    public PgReader(Stream stream) => _stream = stream;

    /// <summary>Reads the untyped startup packet (length, then body); null at end of stream.</summary>
    public async Task<byte[]?> ReadStartupAsync(CancellationToken cancellationToken)
    {
        if (!await ReadExactAsync(_header.AsMemory(0, 4), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(_header);
        if (length is < 8 or > 10_000)
        {
            throw new InvalidDataException($"invalid startup packet length {length}");
        }

        var body = new byte[length - 4];
        return await ReadExactAsync(body, cancellationToken).ConfigureAwait(false) ? body : null;
    }

    /// <summary>Reads one typed message; null at end of stream.</summary>
    public async Task<(FrontendMessageCode Code, byte[] Body)?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        if (!await ReadExactAsync(_header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1));
        if (length < 4 || length > MaxMessageLength)
        {
            throw new InvalidDataException($"invalid message length {length}");
        }

        var body = new byte[length - 4];
        if (!await ReadExactAsync(body, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return ((FrontendMessageCode)_header[0], body);
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
}
