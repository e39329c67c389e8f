using System.Buffers.Binary;
using System.Text;

namespace StreamSql.Server.Kafka.Protocol;

/// <summary>Reads Kafka protocol primitives (big-endian) from one request; Flexible switches strings, bytes and arrays to their compact forms.</summary>
/// <remarks>Every read is bounds-checked: a field that runs past the request throws <see cref="KafkaProtocolException"/>.</remarks>
public sealed class KafkaReader
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> buffer) => _buffer = buffer;

    /// <summary>True for the flexible versions of a message (KIP-482): compact lengths and tagged fields.</summary>
    public bool Flexible { get; set; }

    public int Position => _position;

    public int Remaining => _buffer.Length - _position;

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new KafkaProtocolException($"field of {count} bytes at position {_position} runs past the end of a {_buffer.Length}-byte request");
        }

        var span = _buffer.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    public ReadOnlyMemory<byte> TakeMemory(int count)
    {
        Take(count);
        return _buffer.Slice(_position - count, count);
    }

    public sbyte Int8() => (sbyte)Take(1)[0];

    public bool Bool() => Take(1)[0] != 0;

    public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public uint UnsignedVarInt()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new KafkaProtocolException("varint longer than 5 bytes");
    }

    public ulong UnsignedVarLong()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Take(1)[0];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new KafkaProtocolException("varlong longer than 10 bytes");
    }

    /// <summary>A zigzag-encoded signed varint, as used inside records.</summary>
    public int VarInt()
    {
        var raw = UnsignedVarInt();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public long VarLong()
    {
        var raw = UnsignedVarLong();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public string String() => NullableString() ?? throw new KafkaProtocolException("null where a string is required");

    public string? NullableString()
    {
        var length = Flexible ? (int)UnsignedVarInt() - 1 : Int16();
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    public byte[]? NullableBytes()
    {
        var length = Flexible ? (int)UnsignedVarInt() - 1 : Int32();
        return length < 0 ? null : Take(length).ToArray();
    }

    public byte[] Bytes() => NullableBytes() ?? [];

    /// <summary>A length-prefixed byte field returned without copying (the records field of Produce).</summary>
    public ReadOnlyMemory<byte>? NullableBytesMemory()
    {
        var length = Flexible ? (int)UnsignedVarInt() - 1 : Int32();
        return length < 0 ? null : TakeMemory(length);
    }

    /// <summary>An array length, -1 for a null array; checked against the bytes left so a bogus count cannot allocate.</summary>
    public int ArrayLength()
    {
        var length = Flexible ? (int)UnsignedVarInt() - 1 : Int32();
        if (length > Remaining)
        {
            throw new KafkaProtocolException($"array of {length} elements in {Remaining} remaining bytes");
        }

        return Math.Max(length, -1);
    }

    public int[] Int32Array()
    {
        var count = ArrayLength();
        var values = new int[Math.Max(count, 0)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Int32();
        }

        return values;
    }

    /// <summary>Skips the tagged fields of a flexible structure; does nothing for other versions.</summary>
    public void TaggedFields()
    {
        if (!Flexible)
        {
            return;
        }

        var count = UnsignedVarInt();
        for (var i = 0u; i < count; i++)
        {
            UnsignedVarInt();
            Take((int)UnsignedVarInt());
        }
    }
}
