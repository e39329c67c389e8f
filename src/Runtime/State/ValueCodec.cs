using System.Buffers;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.State;

/// <summary>
/// The binary form of values and rows in operator state: a <see cref="ValueKind"/> byte, then a compact payload.
/// <list type="bullet">
/// <item>NULL: nothing. BOOLEAN: one byte 0/1.</item>
/// <item>SMALLINT, INT, BIGINT, TIMESTAMP, TIMESTAMPTZ (microseconds), DATE (days), TIME (microseconds): zigzag varint.</item>
/// <item>REAL: 4-byte IEEE float; DOUBLE: 8-byte IEEE double (little-endian, bits kept as they are).</item>
/// <item>NUMERIC: sign and scale byte, then the 96-bit magnitude as a varint (the display scale survives: 1.50 stays 1.50).</item>
/// <item>TEXT: varint byte length then UTF-8; BYTEA: varint length then the bytes.</item>
/// <item>INTERVAL: months, days and microseconds as three zigzag varints (kept apart, as the type keeps them).</item>
/// </list>
/// Rows are a varint count, then the values. The format has no version byte: state written by one build is read by the same
/// format; change it only with a migration.
/// </summary>
public static class ValueCodec
{
    public static void Write(IBufferWriter<byte> output, Value value) => Write(output, value, canonical: false);

    public static Value Read(ref StateReader reader)
    {
        var kind = (ValueKind)reader.ReadByte();
        return kind switch
        {
            ValueKind.Null => Value.Null,
            ValueKind.Boolean => Value.FromBoolean(reader.ReadBoolean()),
            ValueKind.SmallInt => Value.FromSmallInt(ReadSmallInt(ref reader)),
            ValueKind.Int => Value.FromInt(reader.ReadVarInt32()),
            ValueKind.BigInt => Value.FromBigInt(reader.ReadVarInt64()),
            ValueKind.Timestamp => Value.FromTimestamp(reader.ReadVarInt64()),
            ValueKind.TimestampTz => Value.FromTimestampTz(reader.ReadVarInt64()),
            ValueKind.Date => Value.FromDate(reader.ReadVarInt32()),
            ValueKind.Time => Value.FromTime(reader.ReadVarInt64()),
            ValueKind.Real => Value.FromReal(reader.ReadSingle()),
            ValueKind.Double => Value.FromDouble(reader.ReadDouble()),
            ValueKind.Numeric => Value.FromNumeric(reader.ReadDecimal()),
            ValueKind.String => Value.FromString(reader.ReadString()),
            ValueKind.Bytes => Value.FromBytes(reader.ReadBytes()),
            ValueKind.Interval => Value.FromInterval(new Interval(reader.ReadVarInt32(), reader.ReadVarInt32(), reader.ReadVarInt64())),
            ValueKind.Array => Value.FromArray(ReadRow(ref reader)),
            ValueKind.Map => ReadMap(ref reader),
            ValueKind.Struct => ReadStruct(ref reader),
            _ => throw new InvalidDataException($"state: unknown value kind {(byte)kind}"),
        };
    }

    /// <summary>Moves the reader past one value <see cref="Write(IBufferWriter{byte}, Value)"/> wrote, building nothing.</summary>
    public static void Skip(ref StateReader reader)
    {
        var kind = (ValueKind)reader.ReadByte();
        switch (kind)
        {
            case ValueKind.Null:
                break;
            case ValueKind.Boolean:
                reader.ReadBoolean();
                break;
            case ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt or ValueKind.Timestamp or ValueKind.TimestampTz or ValueKind.Date or ValueKind.Time:
                reader.ReadVarUInt64();
                break;
            case ValueKind.Real:
                reader.ReadSingle();
                break;
            case ValueKind.Double:
                reader.ReadDouble();
                break;
            case ValueKind.Numeric:
                reader.ReadDecimal();
                break;
            case ValueKind.String or ValueKind.Bytes:
                reader.ReadSpan(reader.ReadLength());
                break;
            case ValueKind.Interval:
                reader.ReadVarUInt64();
                reader.ReadVarUInt64();
                reader.ReadVarUInt64();
                break;
            case ValueKind.Array:
                SkipRow(ref reader);
                break;
            case ValueKind.Map:
                for (var i = reader.ReadLength(); i > 0; i--)
                {
                    Skip(ref reader);
                    Skip(ref reader);
                }

                break;
            case ValueKind.Struct:
                for (var i = reader.ReadLength(); i > 0; i--)
                {
                    reader.ReadSpan(reader.ReadLength());
                    Skip(ref reader);
                }

                break;
            default:
                throw new InvalidDataException($"state: unknown value kind {(byte)kind}");
        }
    }

    /// <summary>Moves the reader past one row <see cref="WriteRow"/> wrote, building nothing.</summary>
    public static void SkipRow(ref StateReader reader)
    {
        for (var i = reader.ReadLength(); i > 0; i--)
        {
            Skip(ref reader);
        }
    }

    /// <summary>A map: the entry count, then key and value of each entry.</summary>
    private static Value ReadMap(ref StateReader reader)
    {
        var count = reader.ReadLength();
        var keys = new Value[count];
        var values = new Value[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = Read(ref reader);
            values[i] = Read(ref reader);
        }

        return Value.FromMap(new MapValue(keys, values));
    }

    /// <summary>A struct: the field count, then name (text) and value of each field.</summary>
    private static Value ReadStruct(ref StateReader reader)
    {
        var count = reader.ReadLength();
        var names = new string[count];
        var fields = new Value[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = reader.ReadString();
            fields[i] = Read(ref reader);
        }

        return Value.FromStruct(new StructValue(names, fields));
    }

    private static short ReadSmallInt(ref StateReader reader)
    {
        var value = reader.ReadVarInt64();
        return value is < short.MinValue or > short.MaxValue ? throw new InvalidDataException("state: smallint out of range") : (short)value;
    }

    /// <summary>A row: the value count, then each value. <see cref="DecodeRow"/> reads it back.</summary>
    public static byte[] EncodeRow(ReadOnlySpan<Value> row)
    {
        var output = new ArrayBufferWriter<byte>(16 + (row.Length * 9));
        WriteRow(output, row);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Appends a row (count, then values) to <paramref name="output"/>.</summary>
    public static void WriteRow(IBufferWriter<byte> output, ReadOnlySpan<Value> row)
    {
        output.WriteLength(row.Length);
        foreach (var value in row)
        {
            Write(output, value, canonical: false);
        }
    }

    /// <summary>Reads one row that <see cref="WriteRow"/> wrote.</summary>
    public static Value[] ReadRow(ref StateReader reader)
    {
        var count = reader.ReadLength();
        if (count > reader.Remaining)
        {
            throw new InvalidDataException("state: row count exceeds the data");
        }

        var row = count == 0 ? [] : new Value[count];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = Read(ref reader);
        }

        return row;
    }

    /// <summary>Decodes what <see cref="EncodeRow"/> (or <see cref="EncodeKey"/>) produced; trailing bytes are an error.</summary>
    public static Value[] DecodeRow(ReadOnlySpan<byte> data)
    {
        var reader = new StateReader(data);
        var row = ReadRow(ref reader);
        if (!reader.End)
        {
            throw new InvalidDataException("state: trailing bytes after row");
        }

        return row;
    }

    /// <summary>
    /// A group key as state-store key bytes: the row format, but canonical, so values GROUP BY treats as equal
    /// (<see cref="Value.Equals(Value)"/>) give equal bytes: -0 and 0 encode alike, every NaN as the one NaN, and NUMERIC
    /// without trailing zeros (1.5 and 1.50 alike; a zero as 0). <see cref="DecodeRow"/> reads it, but what comes back is
    /// the canonical form (1.5, 0, NaN), not necessarily what was first seen: where display matters (the group's key columns
    /// in output), keep the first-seen key values in the state value, not the key.
    /// Values Value.Equals tells apart stay apart: an INT 1 and a BIGINT 1, or interval '1 mon' and '30 days'.
    /// </summary>
    public static byte[] EncodeKey(ReadOnlySpan<Value> key)
    {
        var output = new ArrayBufferWriter<byte>(16 + (key.Length * 9));
        WriteKey(output, key);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Appends what <see cref="EncodeKey"/> returns to <paramref name="output"/> (a reused buffer: no array per key).</summary>
    public static void WriteKey(IBufferWriter<byte> output, ReadOnlySpan<Value> key)
    {
        if (TryWriteFixedKey(output, key))
        {
            return;
        }

        output.WriteLength(key.Length);
        foreach (var value in key)
        {
            Write(output, value, canonical: true);
        }
    }

    // Bytes a NULL, boolean or integer-like value takes at most: its kind and a 10-byte LEB128.
    private const int MaxFixedValueBytes = 11;

    /// <summary>
    /// The usual group key (NULLs, booleans, integers, times) into one span, as <see cref="Write"/> would write it value by
    /// value: a call to the writer per key instead of two per value. False, with nothing written, for any other key.
    /// </summary>
    private static bool TryWriteFixedKey(IBufferWriter<byte> output, ReadOnlySpan<Value> key)
    {
        if (key.Length > 16)
        {
            return false;
        }

        var span = output.GetSpan(1 + (key.Length * MaxFixedValueBytes));
        span[0] = (byte)key.Length;
        var written = 1;
        foreach (var value in key)
        {
            switch (value.Kind)
            {
                case ValueKind.Null:
                    span[written++] = (byte)ValueKind.Null;
                    break;
                case ValueKind.Boolean:
                    span[written++] = (byte)ValueKind.Boolean;
                    span[written++] = value.AsBoolean ? (byte)1 : (byte)0;
                    break;
                case ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt or ValueKind.Timestamp or ValueKind.TimestampTz or ValueKind.Date or ValueKind.Time:
                    span[written++] = (byte)value.Kind;
                    var zigzag = (ulong)((value.AsLong << 1) ^ (value.AsLong >> 63));
                    while (zigzag >= 0x80)
                    {
                        span[written++] = (byte)(zigzag | 0x80);
                        zigzag >>= 7;
                    }

                    span[written++] = (byte)zigzag;
                    break;
                default:
                    return false;
            }
        }

        output.Advance(written);
        return true;
    }

    private static void Write(IBufferWriter<byte> output, Value value, bool canonical)
    {
        output.WriteByte((byte)value.Kind);
        switch (value.Kind)
        {
            case ValueKind.Null:
                break;
            case ValueKind.Boolean:
                output.WriteBoolean(value.AsBoolean);
                break;
            case ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt or ValueKind.Timestamp or ValueKind.TimestampTz
                or ValueKind.Date or ValueKind.Time:
                output.WriteVarInt64(value.AsLong);
                break;
            case ValueKind.Real:
                var f = value.AsReal;
                output.WriteSingle(canonical ? (f == 0 ? 0f : float.IsNaN(f) ? float.NaN : f) : f);
                break;
            case ValueKind.Double:
                var d = value.AsDouble;
                output.WriteDouble(canonical ? (d == 0 ? 0d : double.IsNaN(d) ? double.NaN : d) : d);
                break;
            case ValueKind.Numeric:
                output.WriteDecimal(canonical ? Canonical(value.AsNumeric) : value.AsNumeric);
                break;
            case ValueKind.String:
                output.WriteString(value.AsString);
                break;
            case ValueKind.Bytes:
                output.WriteBytes(value.AsBytes);
                break;
            case ValueKind.Interval:
                var interval = value.AsInterval;
                output.WriteVarInt64(interval.Months);
                output.WriteVarInt64(interval.Days);
                output.WriteVarInt64(interval.Micros);
                break;
            case ValueKind.Array:
                var elements = value.AsArray;
                output.WriteLength(elements.Length);
                foreach (var element in elements)
                {
                    Write(output, element, canonical);
                }

                break;
            case ValueKind.Map:
                var map = value.AsMap;
                output.WriteLength(map.Keys.Length);
                for (var i = 0; i < map.Keys.Length; i++)
                {
                    Write(output, map.Keys[i], canonical);
                    Write(output, map.Values[i], canonical);
                }

                break;
            case ValueKind.Struct:
                var st = value.AsStruct;
                output.WriteLength(st.Fields.Length);
                for (var i = 0; i < st.Fields.Length; i++)
                {
                    output.WriteString(st.Names[i]);
                    Write(output, st.Fields[i], canonical);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Kind, "unknown value kind");
        }
    }

    /// <summary>The decimal without trailing fractional zeros, and zero without a sign: one form per numeric value.</summary>
    internal static decimal Canonical(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        if (magnitude == 0)
        {
            return 0m;
        }

        if (scale == 0 || magnitude % 10 != 0)
        {
            return value;
        }

        while (scale > 0 && magnitude % 10 == 0)
        {
            magnitude /= 10;
            scale--;
        }

        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), bits[3] < 0, (byte)scale);
    }
}
