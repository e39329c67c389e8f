using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace StreamSql.Runtime.State;

/// <summary>Primitive writes for operator state; <see cref="StateReader"/> reads them back in the same order.</summary>
public static class StateWriter
{
    public static void WriteByte(this IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public static void WriteBoolean(this IBufferWriter<byte> output, bool value) => output.WriteByte(value ? (byte)1 : (byte)0);

    public static void WriteInt32(this IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(sizeof(int)), value);
        output.Advance(sizeof(int));
    }

    public static void WriteInt64(this IBufferWriter<byte> output, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(sizeof(long)), value);
        output.Advance(sizeof(long));
    }

    public static void WriteSingle(this IBufferWriter<byte> output, float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(output.GetSpan(sizeof(float)), value);
        output.Advance(sizeof(float));
    }

    public static void WriteDouble(this IBufferWriter<byte> output, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(sizeof(double)), value);
        output.Advance(sizeof(double));
    }

    /// <summary>Unsigned LEB128: 7 bits a byte, low first, high bit set on every byte but the last (1 to 10 bytes).</summary>
    public static void WriteVarUInt64(this IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }

    /// <summary>Zigzag LEB128, so small negative numbers stay short too.</summary>
    public static void WriteVarInt64(this IBufferWriter<byte> output, long value) =>
        output.WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>A non-negative length or count.</summary>
    public static void WriteLength(this IBufferWriter<byte> output, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        output.WriteVarUInt64((ulong)length);
    }

    /// <summary>A decimal: one byte of sign (high bit) and scale (0-28), then the 96-bit magnitude as unsigned LEB128.</summary>
    public static void WriteDecimal(this IBufferWriter<byte> output, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (byte)((bits[3] >> 16) & 0xFF);
        var negative = bits[3] < 0;
        var magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var span = output.GetSpan(1 + 14);
        span[0] = (byte)(scale | (negative ? 0x80 : 0));
        var i = 1;
        while (magnitude >= 0x80)
        {
            span[i++] = (byte)((byte)magnitude | 0x80);
            magnitude >>= 7;
        }

        span[i++] = (byte)magnitude;
        output.Advance(i);
    }

    /// <summary>UTF-8 with a byte-length prefix. Unpaired surrogates do not survive (they become U+FFFD).</summary>
    public static void WriteString(this IBufferWriter<byte> output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        output.WriteLength(length);
        if (length > 0)
        {
            var written = Encoding.UTF8.GetBytes(value, output.GetSpan(length));
            output.Advance(written);
        }
    }

    /// <summary>Bytes with a length prefix.</summary>
    public static void WriteBytes(this IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        output.WriteLength(value.Length);
        if (value.Length > 0)
        {
            output.Write(value);
        }
    }
}
