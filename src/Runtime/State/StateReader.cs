using System.Buffers.Binary;
using System.Text;

namespace StreamSql.Runtime.State;

/// <summary>
/// Reads what <see cref="StateWriter"/> and <see cref="ValueCodec"/> wrote, front to back. Truncated or malformed input
/// throws <see cref="InvalidDataException"/>.
/// </summary>
public ref struct StateReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    /// <summary>True once every byte has been read.</summary>
    public readonly bool End => _position >= _data.Length;

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw Truncated();
        }

        return _data[_position++];
    }

    public bool ReadBoolean() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new InvalidDataException($"state: invalid boolean byte {b}"),
    };

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(sizeof(int)));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadSpan(sizeof(long)));

    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(ReadSpan(sizeof(float)));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(ReadSpan(sizeof(double)));

    /// <summary>An unsigned LEB128 integer (7 bits a byte, low first).</summary>
    public ulong ReadVarUInt64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            if (shift == 63 && b > 1)
            {
                throw new InvalidDataException("state: varint overflows 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("state: varint longer than 10 bytes");
    }

    /// <summary>A zigzag LEB128 signed integer (small magnitudes of either sign take one byte).</summary>
    public long ReadVarInt64()
    {
        var raw = ReadVarUInt64();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public int ReadVarInt32()
    {
        var value = ReadVarInt64();
        return value is < int.MinValue or > int.MaxValue ? throw new InvalidDataException("state: varint overflows 32 bits") : (int)value;
    }

    /// <summary>A non-negative length or count, checked against the bytes left when each element takes at least one byte.</summary>
    public int ReadLength()
    {
        var value = ReadVarUInt64();
        return value > int.MaxValue ? throw new InvalidDataException("state: length out of range") : (int)value;
    }

    /// <summary>A decimal as <see cref="StateWriter.WriteDecimal"/> wrote it (sign, scale and 96-bit magnitude).</summary>
    public decimal ReadDecimal()
    {
        var head = ReadByte();
        var scale = (byte)(head & 0x7F);
        if (scale > 28)
        {
            throw new InvalidDataException($"state: decimal scale {scale} out of range");
        }

        UInt128 magnitude = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift >= 98)
            {
                throw new InvalidDataException("state: decimal magnitude longer than 96 bits");
            }

            var b = ReadByte();
            magnitude |= (UInt128)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        if (magnitude >> 96 != 0)
        {
            throw new InvalidDataException("state: decimal magnitude longer than 96 bits");
        }

        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), (head & 0x80) != 0, scale);
    }

    /// <summary>A UTF-8 string with a length prefix.</summary>
    public string ReadString()
    {
        var length = ReadLength();
        return Encoding.UTF8.GetString(ReadSpan(length));
    }

    /// <summary>A byte array with a length prefix.</summary>
    public byte[] ReadBytes() => ReadSpan(ReadLength()).ToArray();

    /// <summary>The next <paramref name="length"/> bytes, without copying.</summary>
    public ReadOnlySpan<byte> ReadSpan(int length)
    {
        if (length < 0 || length > _data.Length - _position)
        {
            throw Truncated();
        }

        var span = _data.Slice(_position, length);
        _position += length;
        return span;
    }

    private static InvalidDataException Truncated() => new("state: truncated data");
}
