using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace StreamSql.Server.Kafka.Protocol;

/// <summary>Writes Kafka protocol primitives (big-endian) into a pooled, growable buffer; Flexible switches to compact forms and tagged fields.</summary>
public sealed class KafkaWriter : IDisposable
{
    private byte[] _buffer;
    private int _position;

    public KafkaWriter(int initialCapacity = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public bool Flexible { get; set; }

    public int Position => _position;

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _position);

    public Span<byte> WrittenSpan(int from) => _buffer.AsSpan(from, _position - from);

    public void Reset()
    {
        _position = 0;
        Flexible = false;
        if (_buffer.Length > 1 << 20)
        {
            // Do not keep a huge fetch buffer for the life of an idle connection.
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(4096);
        }
    }

    private Span<byte> Grab(int count)
    {
        if (_position + count > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _position + count));
            _buffer.AsSpan(0, _position).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        var span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }

    /// <summary>Leaves count bytes to fill in later (a length or a checksum) and returns where they are.</summary>
    public int Reserve(int count)
    {
        Grab(count);
        return _position - count;
    }

    public void PatchInt32(int at, int value) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at, 4), value);

    public void PatchUInt32(int at, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(at, 4), value);

    public void Raw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grab(bytes.Length));

    public void Int8(sbyte value) => Grab(1)[0] = (byte)value;

    public void Bool(bool value) => Grab(1)[0] = value ? (byte)1 : (byte)0;

    public void Int16(short value) => BinaryPrimitives.WriteInt16BigEndian(Grab(2), value);

    public void Int32(int value) => BinaryPrimitives.WriteInt32BigEndian(Grab(4), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64BigEndian(Grab(8), value);

    public void UnsignedVarInt(uint value)
    {
        while (value >= 0x80)
        {
            Grab(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Grab(1)[0] = (byte)value;
    }

    public void UnsignedVarLong(ulong value)
    {
        while (value >= 0x80)
        {
            Grab(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Grab(1)[0] = (byte)value;
    }

    public void VarInt(int value) => UnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    public void VarLong(long value) => UnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    public static int SizeOfVarInt(int value) => SizeOfUnsigned((uint)((value << 1) ^ (value >> 31)));

    public static int SizeOfVarLong(long value)
    {
        var raw = (ulong)((value << 1) ^ (value >> 63));
        var size = 1;
        while (raw >= 0x80)
        {
            raw >>= 7;
            size++;
        }

        return size;
    }

    public static int SizeOfUnsigned(uint value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public void String(string value) => NullableString(value);

    public void NullableString(string? value)
    {
        if (value is null)
        {
            if (Flexible)
            {
                UnsignedVarInt(0);
            }
            else
            {
                Int16(-1);
            }

            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        if (Flexible)
        {
            UnsignedVarInt((uint)length + 1);
        }
        else
        {
            Int16(checked((short)length));
        }

        Encoding.UTF8.GetBytes(value, Grab(length));
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        if (Flexible)
        {
            UnsignedVarInt((uint)value.Length + 1);
        }
        else
        {
            Int32(value.Length);
        }

        Raw(value);
    }

    public void NullableBytes(byte[]? value)
    {
        if (value is null)
        {
            NullLength();
        }
        else
        {
            Bytes(value);
        }
    }

    public void ArrayLength(int count)
    {
        if (Flexible)
        {
            UnsignedVarInt((uint)count + 1);
        }
        else
        {
            Int32(count);
        }
    }

    /// <summary>The length of a null array, string-less bytes or records field.</summary>
    public void NullLength()
    {
        if (Flexible)
        {
            UnsignedVarInt(0);
        }
        else
        {
            Int32(-1);
        }
    }

    /// <summary>An empty tagged-field section in flexible versions; nothing otherwise.</summary>
    public void TaggedFields()
    {
        if (Flexible)
        {
            UnsignedVarInt(0);
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
