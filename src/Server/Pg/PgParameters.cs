using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;

namespace StreamSql.Server.Pg;

/// <summary>Decodes Bind parameter values (text or binary, by wire type OID) into the engine's constants (see BoundLiteral).</summary>
public static class PgParameters
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes parameter number (1-based) whose wire type is oid into a constant of the engine type.</summary>
    public static object? Decode(ReadOnlySpan<byte> bytes, int oid, SqlType type, bool binary, int number)
    {
        try
        {
            if (!binary)
            {
                var text = StrictUtf8.GetString(bytes);
                return type.Kind switch
                {
                    SqlTypeKind.Varchar => text,
                    SqlTypeKind.Array => ArrayLiteral.ReadConstants(text, type.Element!, null),
                    _ => TextValues.Parse(text, type, null),
                };
            }

            if (type.Kind == SqlTypeKind.Array)
            {
                return ReadArray(bytes, type.Element!, number);
            }

            return oid switch
            {
                PgTypes.BoolOid => Exact(bytes, 1, number)[0] != 0,
                PgTypes.Int2Oid => BinaryPrimitives.ReadInt16BigEndian(Exact(bytes, 2, number)),
                PgTypes.Int4Oid => BinaryPrimitives.ReadInt32BigEndian(Exact(bytes, 4, number)),
                PgTypes.Int8Oid => BinaryPrimitives.ReadInt64BigEndian(Exact(bytes, 8, number)),
                PgTypes.Float4Oid => BinaryPrimitives.ReadSingleBigEndian(Exact(bytes, 4, number)),
                PgTypes.Float8Oid => BinaryPrimitives.ReadDoubleBigEndian(Exact(bytes, 8, number)),
                PgTypes.NumericOid => ReadNumeric(bytes, number),
                PgTypes.TimestampOid or PgTypes.TimestampTzOid => BinaryPrimitives.ReadInt64BigEndian(Exact(bytes, 8, number)) + PgTypes.PostgresEpochMicros,
                PgTypes.DateOid => BinaryPrimitives.ReadInt32BigEndian(Exact(bytes, 4, number)) + PgTypes.PostgresEpochDays,
                PgTypes.IntervalOid => ReadInterval(Exact(bytes, 16, number)),
                PgTypes.ByteaOid => bytes.ToArray(),
                PgTypes.TimeOid => BinaryPrimitives.ReadInt64BigEndian(Exact(bytes, 8, number)),
                PgTypes.UuidOid => new Guid(Exact(bytes, 16, number), bigEndian: true).ToString(),
                PgTypes.JsonbOid when bytes.Length > 0 && bytes[0] == 1 => StrictUtf8.GetString(bytes[1..]),
                _ when type.Kind == SqlTypeKind.Varchar => StrictUtf8.GetString(bytes),
                _ => throw BadBinary(number),
            };
        }
        catch (DecoderFallbackException)
        {
            throw new SqlException(SqlState.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"");
        }
    }

    private static ReadOnlySpan<byte> Exact(ReadOnlySpan<byte> bytes, int length, int number) =>
        bytes.Length == length ? bytes : throw BadBinary(number);

    /// <summary>
    /// array_recv: dimension count, has-nulls flag, element OID, then length and lower bound per dimension, then each element
    /// as a length (-1 for NULL) and its binary form. One dimension (or none, for an empty array) only.
    /// </summary>
    private static object?[] ReadArray(ReadOnlySpan<byte> bytes, SqlType element, int number)
    {
        if (bytes.Length < 12)
        {
            throw BadBinary(number);
        }

        var dimensions = BinaryPrimitives.ReadInt32BigEndian(bytes);
        var elementOid = BinaryPrimitives.ReadInt32BigEndian(bytes[8..]);
        if (dimensions == 0)
        {
            return [];
        }

        if (dimensions != 1)
        {
            throw dimensions > 1 ? SqlException.NotSupported("multidimensional arrays") : BadBinary(number);
        }

        if (bytes.Length < 20)
        {
            throw BadBinary(number);
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(bytes[12..]);
        var rest = bytes[20..];
        if (count < 0 || count > rest.Length / 4)
        {
            throw BadBinary(number);
        }

        var items = new object?[count];
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < 4)
            {
                throw BadBinary(number);
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(rest);
            rest = rest[4..];
            if (length < 0)
            {
                items[i] = null;
                continue;
            }

            if (length > rest.Length)
            {
                throw BadBinary(number);
            }

            items[i] = Decode(rest[..length], elementOid, element, binary: true, number);
            rest = rest[length..];
        }

        return rest.Length == 0 ? items : throw BadBinary(number);
    }

    private static SqlException BadBinary(int number) =>
        new(SqlState.InvalidBinaryRepresentation, $"incorrect binary data format in bind parameter {number}");

    /// <summary>interval's binary form: microseconds, days, months.</summary>
    private static Interval ReadInterval(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadInt32BigEndian(bytes[12..]), BinaryPrimitives.ReadInt32BigEndian(bytes[8..]), BinaryPrimitives.ReadInt64BigEndian(bytes));

    /// <summary>numeric's binary form: digit count, weight, sign, display scale, then base-10000 digits (the first at 10000^weight).</summary>
    private static decimal ReadNumeric(ReadOnlySpan<byte> bytes, int number)
    {
        if (bytes.Length < 8)
        {
            throw BadBinary(number);
        }

        var digits = BinaryPrimitives.ReadInt16BigEndian(bytes);
        var weight = BinaryPrimitives.ReadInt16BigEndian(bytes[2..]);
        var sign = (ushort)BinaryPrimitives.ReadInt16BigEndian(bytes[4..]);
        var scale = BinaryPrimitives.ReadInt16BigEndian(bytes[6..]);
        if (digits < 0 || bytes.Length != 8 + (2 * digits))
        {
            throw BadBinary(number);
        }

        if (sign is 0xC000 or 0xD000 or 0xF000)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "numeric NaN and Infinity are not supported");
        }

        var text = new StringBuilder(digits * 4);
        for (var i = 0; i < digits; i++)
        {
            text.Append(BinaryPrimitives.ReadInt16BigEndian(bytes[(8 + (2 * i))..]).ToString("D4", CultureInfo.InvariantCulture));
        }

        // Place the decimal point after the digit group of weight 0, padding with zero groups where the weight lies outside the digits.
        var integerGroups = weight + 1;
        var all = text.ToString();
        if (integerGroups > digits)
        {
            all += new string('0', 4 * (integerGroups - digits));
        }
        else if (integerGroups < 0)
        {
            all = new string('0', -4 * integerGroups) + all;
            integerGroups = 0;
        }

        var literal = (integerGroups == 0 ? "0" : all[..(4 * integerGroups)]) + "." + all[(4 * integerGroups)..] + "0";
        if (!decimal.TryParse(literal, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, $"numeric value in bind parameter {number} is out of range");
        }

        value = Math.Round(value, Math.Min((int)scale, 28));
        return sign == 0x4000 ? -value : value;
    }
}
