using System.Buffers.Binary;
using System.Text;

namespace StreamSql.Server.Pg;

/// <summary>A forward-only cursor over a message body; reading past its end is a protocol violation, never an index error.</summary>
public ref struct MessageCursor
{
    private readonly ReadOnlySpan<byte> _body;
    private int _position;

    public MessageCursor(ReadOnlySpan<byte> body)
    {
        _body = body;
        _position = 0;
    }

    public readonly bool AtEnd => _position >= _body.Length;

    public readonly int Position => _position;

    public byte ReadByte() => Take(1)[0];

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    /// <summary>An Int16 count that must not be negative (format codes, parameters).</summary>
    public int ReadCount()
    {
        var count = ReadInt16();
        return count >= 0 ? count : throw new PgProtocolException($"invalid count {count} in message");
    }

    /// <summary>A format code: 0 text, 1 binary.</summary>
    public short ReadFormat()
    {
        var format = ReadInt16();
        return format is 0 or 1 ? format : throw new PgProtocolException($"unsupported format code: {format}");
    }

    public string ReadCString()
    {
        var end = _body[_position..].IndexOf((byte)0);
        if (end < 0)
        {
            throw new PgProtocolException("invalid string in message");
        }

        var s = Encoding.UTF8.GetString(_body.Slice(_position, end));
        _position += end + 1;
        return s;
    }

    public ReadOnlySpan<byte> ReadBytes(int length) => length >= 0 ? Take(length) : throw new PgProtocolException($"invalid length {length} in message");

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > _body.Length - _position)
        {
            throw new PgProtocolException("insufficient data left in message");
        }

        var s = _body.Slice(_position, length);
        _position += length;
        return s;
    }
}
