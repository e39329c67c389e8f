using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace StreamSql.Server.Pg;

/// <summary>Builds backend messages in a pooled buffer (big-endian, length patched at the end) and flushes them to the socket.</summary>
public sealed class PgWriter : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _length;
    private int _messageStart = -1;

    public PgWriter(Stream stream) => _stream = stream;

    public int BufferedBytes => _length;

    public void StartMessage(BackendMessageCode code)
    {
        Ensure(5);
        _buffer[_length++] = (byte)code;
        _messageStart = _length;
        _length += 4;
    }

    public void EndMessage()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_messageStart), _length - _messageStart);
        _messageStart = -1;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteInt16(short value)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Writes a length-prefixed UTF-8 value (a DataRow column) without an intermediate byte array.</summary>
    public void WriteLengthPrefixedUtf8(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Ensure(4 + max);
        var written = Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), written);
        _length += 4 + written;
    }

    /// <summary>Reserves room for a length-prefixed value the caller writes into the returned span; Commit with the bytes written.</summary>
    /// <summary>Leaves room for a 4-byte length and returns where it is; <see cref="PatchLength"/> fills it in.</summary>
    public int ReserveLength()
    {
        Ensure(4);
        var at = _length;
        _length += 4;
        return at;
    }

    /// <summary>Writes the number of bytes written since <see cref="ReserveLength"/> into the room it left.</summary>
    public void PatchLength(int at) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at), _length - at - 4);

    public Span<byte> ReserveValue(int maxLength)
    {
        Ensure(4 + maxLength);
        return _buffer.AsSpan(_length + 4, maxLength);
    }

    public void CommitValue(int written)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), written);
        _length += 4 + written;
    }

    /// <summary>Writes UTF-8 text with no length or terminator (a CopyData payload).</summary>
    public void WriteUtf8(ReadOnlySpan<char> text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    public void WriteCString(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(max + 1);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        _buffer[_length++] = 0;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_length == 0)
        {
            return;
        }

        await _stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _length = 0;
    }

    /// <summary>Drops a partly written message (used when encoding a row fails half way).</summary>
    public void DiscardCurrentMessage()
    {
        if (_messageStart >= 0)
        {
            _length = _messageStart - 1;
            _messageStart = -1;
        }
    }

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
