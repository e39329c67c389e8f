using System.Globalization;
using StreamSql.Parser.Errors;

namespace StreamSql.Planner.Types;

/// <summary>PostgreSQL's text input and output of scalar values (literals, casts from text, the wire's text format).</summary>
public static class TextValues
{
    public const long MicrosPerSecond = 1_000_000;
    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFzz",
    ];

    public static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "t" or "true" or "y" or "yes" or "on" or "1":
                value = true;
                return true;
            case "f" or "false" or "n" or "no" or "off" or "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool TryParseTimestamp(string text, out long micros)
    {
        if (DateTime.TryParseExact(text.Trim(), TimestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
        {
            micros = (dt - Epoch).Ticks / 10;
            return true;
        }

        micros = 0;
        return false;
    }

    /// <summary>PostgreSQL's text of a timestamp: yyyy-MM-dd HH:mm:ss, then the fraction without trailing zeros, if any.</summary>
    public static string FormatTimestamp(long micros)
    {
        // Throws outside years 1 to 9999, as the text form cannot show them.
        var dt = Epoch.AddTicks(micros * 10);
        var fraction = (int)(micros % MicrosPerSecond);
        if (fraction < 0)
        {
            fraction += (int)MicrosPerSecond;
        }

        var digits = 0;
        if (fraction != 0)
        {
            digits = 6;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }
        }

        // Written digit by digit: DateTime.ToString with a custom format parsed it per value (q8 formats one per row).
        return string.Create(digits == 0 ? 19 : 20 + digits, (dt, fraction, digits), static (text, state) =>
        {
            var (dt, fraction, digits) = state;
            var (year, month, day) = dt;
            Digits(text[..4], year);
            text[4] = '-';
            Digits(text.Slice(5, 2), month);
            text[7] = '-';
            Digits(text.Slice(8, 2), day);
            text[10] = ' ';
            Digits(text.Slice(11, 2), dt.Hour);
            text[13] = ':';
            Digits(text.Slice(14, 2), dt.Minute);
            text[16] = ':';
            Digits(text.Slice(17, 2), dt.Second);
            if (digits > 0)
            {
                text[19] = '.';
                Digits(text[20..], fraction);
            }
        });
    }

    /// <summary>value in decimal, zero-padded to fill text.</summary>
    private static void Digits(Span<char> text, int value)
    {
        for (var i = text.Length - 1; i >= 0; i--)
        {
            text[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    public static long TimestampFromMillis(long millis) => millis * 1000;

    /// <summary>Epoch milliseconds read from a record as a timestamp; false outside years 1 to 9999, which the text form cannot show.</summary>
    public static bool TryTimestampFromMillis(long millis, out long micros)
    {
        micros = millis * 1000;
        return millis is >= MinTimestampMillis and <= MaxTimestampMillis;
    }

    // 0001-01-01 00:00:00 and 9999-12-31 23:59:59.999 as epoch milliseconds.
    private const long MinTimestampMillis = -62_135_596_800_000;
    private const long MaxTimestampMillis = 253_402_300_799_999;

    public static long TimestampToMillis(long micros) => micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);

    /// <summary>Shortest text that round-trips, as PostgreSQL 12+ prints float8 (1e+20, 0.1, NaN, Infinity).</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E');
        return e < 0 ? text : text[..e] + "e" + text[(e + 1)..];
    }

    /// <summary>float4 output as PostgreSQL 12+ prints it: the shortest digits that round-trip, in %g style with exponent from 1e+06 / below 1e-04 (1.234567e+06).</summary>
    public static string FormatReal(float value)
    {
        if (float.IsNaN(value))
        {
            return "NaN";
        }

        if (float.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return float.IsNegative(value) ? "-0" : "0";
        }

        // "E" after "R" digits: shortest round-trip digits with a decimal exponent.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest[0] == '-';
        var body = negative ? shortest[1..] : shortest;
        var exponentAt = body.IndexOfAny(['E', 'e']);
        var exponent = 0;
        if (exponentAt >= 0)
        {
            exponent = int.Parse(body[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..exponentAt];
        }

        var point = body.IndexOf('.');
        var intPart = point < 0 ? body : body[..point];
        var fracPart = point < 0 ? "" : body[(point + 1)..];
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - digits.Length;
        digits = digits.TrimEnd('0');
        // Decimal exponent of the first significant digit.
        var exp10 = intPart.Length - 1 - leadingZeros + exponent;
        string text;
        if (exp10 < -4 || exp10 >= 6)
        {
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            text = mantissa + "e" + (exp10 < 0 ? "-" : "+") + Math.Abs(exp10).ToString("00", CultureInfo.InvariantCulture);
        }
        else if (exp10 < 0)
        {
            text = "0." + new string('0', -exp10 - 1) + digits;
        }
        else
        {
            text = digits.Length <= exp10 + 1 ? digits + new string('0', exp10 + 1 - digits.Length) : digits[..(exp10 + 1)] + "." + digits[(exp10 + 1)..];
        }

        return negative ? "-" + text : text;
    }

    /// <summary>Rounds a double to float4, with PostgreSQL's overflow and underflow errors (22003).</summary>
    public static float ToReal(double value)
    {
        var f = (float)value;
        if (float.IsInfinity(f) && !double.IsInfinity(value))
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: overflow");
        }

        if (f == 0 && value != 0)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: underflow");
        }

        return f;
    }

    /// <summary>time output: HH:MM:SS with the fraction's trailing zeros dropped (10:11:12.5).</summary>
    public static string FormatTime(long micros)
    {
        var seconds = micros / MicrosPerSecond;
        var fraction = micros % MicrosPerSecond;
        var text = string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
        return fraction == 0 ? text : text + "." + fraction.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0');
    }

    /// <summary>time input: HH:MM[:SS[.fraction]] (24:00:00 allowed), or a timestamp whose time of day is taken; fractions round to microseconds.</summary>
    public static long ParseTime(string text, int? position)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text.Trim(), @"^(?:\d{4}-\d{1,2}-\d{1,2}[ T])?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d*)?)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        if (!match.Success)
        {
            throw new SqlException(SqlState.InvalidDatetimeFormat, $"invalid input syntax for type time: \"{text}\"", position);
        }

        var hours = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var minutes = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        var secs = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
        var fraction = match.Groups[4].Success && match.Groups[4].Value.Length > 1
            ? (long)Math.Round(double.Parse("0" + match.Groups[4].Value, CultureInfo.InvariantCulture) * MicrosPerSecond, MidpointRounding.ToEven)
            : 0;
        var micros = ((((hours * 60L) + minutes) * 60) + secs) * MicrosPerSecond + fraction;
        if (hours > 24 || minutes > 59 || secs > 60 || micros > Types.Interval.MicrosPerDay)
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, $"date/time field value out of range: \"{text}\"", position);
        }

        return micros;
    }

    /// <summary>bytea output in PostgreSQL's default hex format: \x then two lower-case hex digits per byte.</summary>
    public static string FormatBytea(byte[] bytes) => string.Create(2 + (bytes.Length * 2), bytes, static (span, b) =>
    {
        span[0] = '\\';
        span[1] = 'x';
        Convert.TryToHexStringLower(b, span[2..], out _);
    });

    /// <summary>bytea input: hex format (\x0a0b, whitespace between pairs allowed) or escape format (\\ and \ooo octal escapes, other characters as UTF-8).</summary>
    public static byte[] ParseBytea(string text, int? position)
    {
        if (text.StartsWith("\\x", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = new List<byte>(text.Length / 2);
            var i = 2;
            while (i < text.Length)
            {
                if (char.IsWhiteSpace(text[i]))
                {
                    i++;
                    continue;
                }

                var high = HexDigit(text[i], position);
                if (i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1]))
                {
                    throw new SqlException(SqlState.InvalidParameterValue, "invalid hexadecimal data: odd number of digits", position);
                }

                bytes.Add((byte)((high << 4) | HexDigit(text[i + 1], position)));
                i += 2;
            }

            return [.. bytes];
        }

        var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        var result = new List<byte>(utf8.Length);
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] != (byte)'\\')
            {
                result.Add(utf8[i]);
            }
            else if (i + 1 < utf8.Length && utf8[i + 1] == (byte)'\\')
            {
                result.Add((byte)'\\');
                i++;
            }
            else if (i + 3 < utf8.Length && IsOctal(utf8[i + 1], '3') && IsOctal(utf8[i + 2], '7') && IsOctal(utf8[i + 3], '7'))
            {
                result.Add((byte)(((utf8[i + 1] - '0') << 6) | ((utf8[i + 2] - '0') << 3) | (utf8[i + 3] - '0')));
                i += 3;
            }
            else
            {
                throw new SqlException(SqlState.InvalidTextRepresentation, "invalid input syntax for type bytea", position);
            }
        }

        return [.. result];
    }

    private static bool IsOctal(byte b, char max) => b >= '0' && b <= max;

    private static int HexDigit(char c, int? position) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => throw new SqlException(SqlState.InvalidParameterValue, $"invalid hexadecimal digit: \"{c}\"", position),
    };

    public static string FormatBoolean(bool value) => value ? "t" : "f";

    /// <summary>timestamptz output with TimeZone UTC: "2026-01-01 10:00:00+00".</summary>
    public static string FormatTimestampTz(long micros) => FormatTimestamp(micros) + "+00";

    private static bool TryParseDouble(string text, out double value)
    {
        var t = text.Trim();
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        switch (t.ToLowerInvariant())
        {
            case "nan":
                value = double.NaN;
                return true;
            case "infinity" or "inf" or "+infinity" or "+inf":
                value = double.PositiveInfinity;
                return true;
            case "-infinity" or "-inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Parses text as a value of the given type; the object holds the engine representation (see BoundLiteral).</summary>
    public static object Parse(string text, SqlType type, int? position)
    {
        switch (type.Kind)
        {
            case SqlTypeKind.Varchar:
                return text;
            case SqlTypeKind.Boolean:
                if (TryParseBoolean(text, out var b))
                {
                    return b;
                }

                break;
            case SqlTypeKind.Int:
                if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
                {
                    return i is < int.MinValue or > int.MaxValue
                        ? throw new SqlException(SqlState.NumericValueOutOfRange, $"value \"{text}\" is out of range for type integer", position)
                        : (object)(int)i;
                }

                break;
            case SqlTypeKind.SmallInt:
                if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var si))
                {
                    return si is < short.MinValue or > short.MaxValue
                        ? throw new SqlException(SqlState.NumericValueOutOfRange, $"value \"{text}\" is out of range for type smallint", position)
                        : (object)(short)si;
                }

                break;
            case SqlTypeKind.Real:
                if (TryParseDouble(text, out var rd))
                {
                    // Parsed directly as float4 (no double rounding); the double tells overflow and underflow apart from real infinities and zeros.
                    var f = float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var direct) ? direct : (float)rd;
                    if ((float.IsInfinity(f) && !double.IsInfinity(rd)) || (f == 0 && rd != 0))
                    {
                        throw new SqlException(SqlState.NumericValueOutOfRange, $"\"{text}\" is out of range for type real", position);
                    }

                    return f;
                }

                break;
            case SqlTypeKind.BigInt:
                if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    return l;
                }

                break;
            case SqlTypeKind.Numeric:
                if (decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var m))
                {
                    return NumericMath.ApplyTypmod(m, type.Precision, type.NumericScale);
                }

                break;
            case SqlTypeKind.Double:
                if (TryParseDouble(text, out var d))
                {
                    return d;
                }

                break;
            case SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
                if (TryParseTimestamp(text, out var micros))
                {
                    return micros;
                }

                throw new SqlException(SqlState.InvalidDatetimeFormat, $"invalid input syntax for type {(type.Kind == SqlTypeKind.Timestamp ? "timestamp" : "timestamp with time zone")}: \"{text}\"", position);
            case SqlTypeKind.Date:
                if (CalendarMath.TryParseDate(text, out var days))
                {
                    return days;
                }

                if (TryParseTimestamp(text, out var dateMicros))
                {
                    return CalendarMath.TimestampToDate(dateMicros);
                }

                throw new SqlException(SqlState.InvalidDatetimeFormat, $"invalid input syntax for type date: \"{text}\"", position);
            case SqlTypeKind.Interval:
                return Types.Interval.Parse(text, null, position);
            case SqlTypeKind.Time:
                return ParseTime(text, position);
            case SqlTypeKind.Bytea:
                return ParseBytea(text, position);
        }

        throw new SqlException(SqlState.InvalidTextRepresentation, $"invalid input syntax for type {type.DisplayName}: \"{text}\"", position);
    }
}
