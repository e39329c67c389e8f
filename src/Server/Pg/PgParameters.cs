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
                return type.Kind == SqlTypeKind.Varchar ? text : TextValues.Parse(text, type, null);
            }

            return oid switch
            {
                PgTypes.BoolOid => Exact(bytes, 1, number)[0] != 0,
                PgTypes.Int2Oid => (int)BinaryPrimitives.ReadInt16BigEndian(Exact(bytes, 2, number)),
                PgTypes.Int4Oid => BinaryPrimitives.ReadInt32BigEndian(Exact(bytes, 4, number)),
                PgTypes.Int8Oid => BinaryPrimitives.ReadInt64BigEndian(Exact(bytes, 8, number)),
                PgTypes.Float4Oid => (double)BinaryPrimitives.ReadSingleBigEndian(Exact(bytes, 4, number)),
                PgTypes.Float8Oid => BinaryPrimitives.ReadDoubleBigEndian(Exact(bytes, 8, number)),
                PgTypes.NumericOid => ReadNumeric(bytes, number),
                PgTypes.TimestampOid or PgTypes.TimestampTzOid => BinaryPrimitives.ReadInt64BigEndian(Exact(bytes, 8, number)) + PgTypes.PostgresEpochMicros,
                PgTypes.DateOid => (BinaryPrimitives.ReadInt32BigEndian(Exact(bytes, 4, number)) * 86_400_000_000L) + PgTypes.PostgresEpochMicros,
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

    private static SqlException BadBinary(int number) =>
        new(SqlState.InvalidBinaryRepresentation, $"incorrect binary data format in bind parameter {number}");

    /// <summary>numeric's binary form: digit count, weight, sign, display scale, then base-10000 digits; held as double.</summary>
    private static double ReadNumeric(ReadOnlySpan<byte> bytes, int number)
    {
        if (bytes.Length < 8)
        {
            throw BadBinary(number);
        }

        var digits = BinaryPrimitives.ReadInt16BigEndian(bytes);
        var weight = BinaryPrimitives.ReadInt16BigEndian(bytes[2..]);
        var sign = (ushort)BinaryPrimitives.ReadInt16BigEndian(bytes[4..]);
        if (digits < 0 || bytes.Length != 8 + (2 * digits))
        {
            throw BadBinary(number);
        }

        switch (sign)
        {
            case 0xC000: return double.NaN;
            case 0xD000: return double.PositiveInfinity;
            case 0xF000: return double.NegativeInfinity;
        }

        var text = new StringBuilder(digits * 4);
        for (var i = 0; i < digits; i++)
        {
            text.Append(BinaryPrimitives.ReadInt16BigEndian(bytes[(8 + (2 * i))..]).ToString("D4", CultureInfo.InvariantCulture));
        }

        // The digits are base 10000 with the first one at 10000^weight.
        var exponent = 4 * (weight - digits + 1);
        var value = digits == 0 ? 0 : double.Parse(text.Append('e').Append(exponent.ToString(CultureInfo.InvariantCulture)).ToString(), CultureInfo.InvariantCulture);
        return sign == 0x4000 ? -value : value;
    }
}
