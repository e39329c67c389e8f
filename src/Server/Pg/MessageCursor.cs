using System.Buffers.Binary;
using System.Text;

namespace StreamSql.Server.Pg;

/// <summary>A forward-only cursor over a message body.</summary>
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

    public byte ReadByte() => _body[_position++];

    public short ReadInt16()
    {
        var v = BinaryPrimitives.ReadInt16BigEndian(_body[_position..]);
        _position += 2;
        return v;
    }

    public int ReadInt32()
    {
        var v = BinaryPrimitives.ReadInt32BigEndian(_body[_position..]);
        _position += 4;
        return v;
    }

    public string ReadCString()
    {
        var end = _body[_position..].IndexOf((byte)0);
        if (end < 0)
        {
            throw new InvalidDataException("unterminated string in message");
        }

        var s = Encoding.UTF8.GetString(_body.Slice(_position, end));
        _position += end + 1;
        return s;
    }

    public ReadOnlySpan<byte> ReadBytes(int length)
    {
        var s = _body.Slice(_position, length);
        _position += length;
        return s;
    }
}
