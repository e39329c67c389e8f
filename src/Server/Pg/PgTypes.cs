using System.Buffers.Binary;
using System.Buffers.Text;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Server.Pg;

/// <summary>PostgreSQL type OIDs and the text and binary wire encodings of our values.</summary>
public static class PgTypes
{
    public const int UnspecifiedOid = 0;
    public const int BoolOid = 16;
    public const int ByteaOid = 17;
    public const int NameOid = 19;
    public const int Int8Oid = 20;
    public const int Int2Oid = 21;
    public const int Int4Oid = 23;
    public const int TextOid = 25;
    public const int JsonOid = 114;
    public const int Float4Oid = 700;
    public const int Float8Oid = 701;
    public const int UnknownOid = 705;
    public const int BpcharOid = 1042;
    public const int VarcharOid = 1043;
    public const int DateOid = 1082;
    public const int TimeOid = 1083;
    public const int TimestampOid = 1114;
    public const int TimestampTzOid = 1184;
    public const int IntervalOid = 1186;
    public const int NumericOid = 1700;
    public const int UuidOid = 2950;
    public const int JsonbOid = 3802;

    /// <summary>PostgreSQL's epoch (2000-01-01) in microseconds since the Unix epoch, for binary timestamps.</summary>
    public const long PostgresEpochMicros = 946_684_800_000_000;

    /// <summary>Days from the Unix epoch to PostgreSQL's (2000-01-01), for binary dates.</summary>
    public const int PostgresEpochDays = 10_957;

    public static int Oid(SqlType type) => type.Kind switch
    {
        SqlTypeKind.Boolean => BoolOid,
        SqlTypeKind.SmallInt => Int2Oid,
        SqlTypeKind.Real => Float4Oid,
        SqlTypeKind.Int => Int4Oid,
        SqlTypeKind.BigInt => Int8Oid,
        SqlTypeKind.Double => Float8Oid,
        SqlTypeKind.Numeric => NumericOid,
        SqlTypeKind.Date => DateOid,
        SqlTypeKind.TimestampTz => TimestampTzOid,
        SqlTypeKind.Interval => IntervalOid,
        SqlTypeKind.Time => TimeOid,
        SqlTypeKind.Bytea => ByteaOid,
        SqlTypeKind.Varchar => VarcharOid,
        SqlTypeKind.Timestamp => TimestampOid,
        SqlTypeKind.Array => ArrayOid(type.Element!),

        // Maps and structs print as JSON objects, so clients see json.
        SqlTypeKind.Map or SqlTypeKind.Struct => JsonOid,
        _ => TextOid,
    };

    /// <summary>The OID of the array type over an element type (PostgreSQL's _int4 and so on); text[] for strings.</summary>
    public static int ArrayOid(SqlType element) => element.Kind switch
    {
        SqlTypeKind.Boolean => 1000,
        SqlTypeKind.Bytea => 1001,
        SqlTypeKind.SmallInt => 1005,
        SqlTypeKind.Int => 1007,
        SqlTypeKind.BigInt => 1016,
        SqlTypeKind.Real => 1021,
        SqlTypeKind.Double => 1022,
        SqlTypeKind.Timestamp => 1115,
        SqlTypeKind.Date => 1182,
        SqlTypeKind.Time => 1183,
        SqlTypeKind.TimestampTz => 1185,
        SqlTypeKind.Interval => 1187,
        SqlTypeKind.Numeric => 1231,
        _ => 1009,
    };

    /// <summary>The element type of one of our array OIDs (see <see cref="ArrayOid"/>); null for any other OID.</summary>
    private static SqlType? ElementOfArrayOid(int oid) => oid switch
    {
        1000 => SqlType.Boolean,
        1001 => SqlType.Bytea,
        1005 => SqlType.SmallInt,
        1007 => SqlType.Int,
        1016 => SqlType.BigInt,
        1021 => SqlType.Real,
        1022 => SqlType.Double,
        1115 => SqlType.Timestamp,
        1182 => SqlType.Date,
        1183 => SqlType.Time,
        1185 => SqlType.TimestampTz,
        1187 => SqlType.Interval,
        1231 => SqlType.Numeric,
        1009 => SqlType.Varchar,
        _ => null,
    };

    /// <summary>The engine type a client-declared parameter type maps to; null for "unspecified" (the server infers it); throws for types we cannot hold.</summary>
    public static SqlType? FromOid(int oid) => oid switch
    {
        UnspecifiedOid or UnknownOid => null,
        BoolOid => SqlType.Boolean,
        Int2Oid => SqlType.SmallInt,
        Int4Oid => SqlType.Int,
        Int8Oid => SqlType.BigInt,
        Float4Oid => SqlType.Real,
        Float8Oid => SqlType.Double,
        NumericOid => SqlType.Numeric,
        TextOid or VarcharOid or BpcharOid or NameOid or JsonOid or JsonbOid or UuidOid => SqlType.Varchar,
        TimestampOid => SqlType.Timestamp,
        TimestampTzOid => SqlType.TimestampTz,
        DateOid => SqlType.Date,
        IntervalOid => SqlType.Interval,
        TimeOid => SqlType.Time,
        ByteaOid => SqlType.Bytea,
        1015 => SqlType.ArrayOf(SqlType.Varchar),
        _ when ElementOfArrayOid(oid) is { } element => SqlType.ArrayOf(element),
        _ => throw new SqlException(SqlState.FeatureNotSupported, $"parameters of the type with OID {oid} are not supported"),
    };

    public static short Size(SqlType type) => type.Kind switch
    {
        SqlTypeKind.Boolean => 1,
        SqlTypeKind.SmallInt => 2,
        SqlTypeKind.Real => 4,
        SqlTypeKind.Int => 4,
        SqlTypeKind.BigInt or SqlTypeKind.Double or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz or SqlTypeKind.Time => 8,
        SqlTypeKind.Date => 4,
        SqlTypeKind.Interval => 16,
        _ => -1,
    };

    /// <summary>Writes one DataRow column of the given type: -1 for NULL, else the length and the value in text or binary format.</summary>
    public static void WriteValue(PgWriter writer, Value value, SqlType type, bool binary)
    {
        if (value.IsNull)
        {
            writer.WriteInt32(-1);
            return;
        }

        if (binary)
        {
            WriteBinary(writer, value, type);
            return;
        }

        switch (value.Kind)
        {
            case ValueKind.String:
                writer.WriteLengthPrefixedUtf8(value.AsString);
                return;
            case ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt:
                // Integers format straight into the buffer: no string per value.
                var span = writer.ReserveValue(20);
                Utf8Formatter.TryFormat(value.AsLong, span, out var written);
                writer.CommitValue(written);
                return;
            case ValueKind.Boolean:
                var b = writer.ReserveValue(1);
                b[0] = value.AsBoolean ? (byte)'t' : (byte)'f';
                writer.CommitValue(1);
                return;
            default:
                writer.WriteLengthPrefixedUtf8(value.ToText()!);
                return;
        }
    }

    /// <summary>The binary format follows the column's declared type (the RowDescription's OID), whatever the value's width.</summary>
    private static void WriteBinary(PgWriter writer, Value value, SqlType type)
    {
        switch (type.Kind)
        {
            case SqlTypeKind.Boolean:
                writer.WriteInt32(1);
                writer.WriteByte(value.AsBoolean ? (byte)1 : (byte)0);
                break;
            case SqlTypeKind.SmallInt:
                writer.WriteInt32(2);
                writer.WriteInt16((short)value.AsLong);
                break;
            case SqlTypeKind.Real:
                writer.WriteInt32(4);
                writer.WriteInt32(BitConverter.SingleToInt32Bits((float)value.AsDouble));
                break;
            case SqlTypeKind.Int:
                writer.WriteInt32(4);
                writer.WriteInt32((int)value.AsLong);
                break;
            case SqlTypeKind.BigInt:
                writer.WriteInt32(8);
                writer.WriteInt64(value.AsLong);
                break;
            case SqlTypeKind.Double:
                writer.WriteInt32(8);
                writer.WriteInt64(BitConverter.DoubleToInt64Bits(value.AsDouble));
                break;
            case SqlTypeKind.Numeric:
                WriteBinaryNumeric(writer, value.Kind == ValueKind.Double ? (decimal)value.AsDouble : value.AsNumeric);
                break;
            case SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
                writer.WriteInt32(8);
                writer.WriteInt64(value.AsLong - PostgresEpochMicros);
                break;
            case SqlTypeKind.Bytea:
                // bytea's binary form is the bytes themselves.
                writer.WriteInt32(value.AsBytes.Length);
                writer.WriteBytes(value.AsBytes);
                break;
            case SqlTypeKind.Time:
                // time's binary form: microseconds since midnight.
                writer.WriteInt32(8);
                writer.WriteInt64(value.AsLong);
                break;
            case SqlTypeKind.Date:
                writer.WriteInt32(4);
                writer.WriteInt32((int)value.AsLong - PostgresEpochDays);
                break;
            case SqlTypeKind.Interval:
                var interval = value.AsInterval;
                writer.WriteInt32(16);
                writer.WriteInt64(interval.Micros);
                writer.WriteInt32(interval.Days);
                writer.WriteInt32(interval.Months);
                break;
            case SqlTypeKind.Array:
                WriteBinaryArray(writer, value.AsArray, type.Element!);
                break;
            default:
                writer.WriteLengthPrefixedUtf8(value.Kind == ValueKind.String ? value.AsString : value.ToText()!);
                break;
        }
    }

    /// <summary>array_send: dimensions, has-nulls flag, element OID, then length and lower bound 1 per dimension, then each element.</summary>
    private static void WriteBinaryArray(PgWriter writer, Value[] elements, SqlType element)
    {
        var start = writer.ReserveLength();
        writer.WriteInt32(elements.Length == 0 ? 0 : 1);
        writer.WriteInt32(elements.Any(e => e.IsNull) ? 1 : 0);
        writer.WriteInt32(Oid(element.Kind == SqlTypeKind.Varchar ? SqlType.Unknown : element));
        if (elements.Length > 0)
        {
            writer.WriteInt32(elements.Length);
            writer.WriteInt32(1);
        }

        foreach (var e in elements)
        {
            if (e.IsNull)
            {
                writer.WriteInt32(-1);
            }
            else
            {
                WriteBinary(writer, e, element);
            }
        }

        writer.PatchLength(start);
    }

    /// <summary>PostgreSQL's binary numeric: base-10000 digits with weight, sign and display scale.</summary>
    private static void WriteBinaryNumeric(PgWriter writer, decimal value)
    {
        var scale = value.Scale;
        var text = Math.Abs(value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var point = text.IndexOf('.');
        var integer = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..];
        integer = integer.TrimStart('0');
        integer = integer.PadLeft((integer.Length + 3) / 4 * 4, '0');
        fraction = fraction.PadRight((fraction.Length + 3) / 4 * 4, '0');
        var digits = new List<short>();
        for (var i = 0; i < integer.Length; i += 4)
        {
            digits.Add(short.Parse(integer.AsSpan(i, 4), provider: System.Globalization.CultureInfo.InvariantCulture));
        }

        for (var i = 0; i < fraction.Length; i += 4)
        {
            digits.Add(short.Parse(fraction.AsSpan(i, 4), provider: System.Globalization.CultureInfo.InvariantCulture));
        }

        var weight = (integer.Length / 4) - 1;
        var start = 0;
        while (start < digits.Count && digits[start] == 0)
        {
            start++;
            weight--;
        }

        var end = digits.Count;
        while (end > start && digits[end - 1] == 0)
        {
            end--;
        }

        var count = end - start;
        writer.WriteInt32(8 + (2 * count));
        writer.WriteInt16((short)count);
        writer.WriteInt16((short)(count == 0 ? 0 : weight));
        writer.WriteInt16(value < 0 ? (short)0x4000 : (short)0);
        writer.WriteInt16((short)scale);
        for (var i = start; i < end; i++)
        {
            writer.WriteInt16(digits[i]);
        }
    }
}
