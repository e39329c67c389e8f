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

    public static string FormatTimestamp(long micros)
    {
        var dt = Epoch.AddTicks(micros * 10);
        var fraction = micros % MicrosPerSecond;
        if (fraction < 0)
        {
            fraction += MicrosPerSecond;
        }

        return fraction == 0
            ? dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : dt.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture).TrimEnd('0');
    }

    public static long TimestampFromMillis(long millis) => millis * 1000;

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

    public static string FormatBoolean(bool value) => value ? "t" : "f";

    /// <summary>timestamptz output with TimeZone UTC: "2026-01-01 10:00:00+00".</summary>
    public static string FormatTimestampTz(long micros) => FormatTimestamp(micros) + "+00";

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
                var t = text.Trim();
                if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return d;
                }

                switch (t.ToLowerInvariant())
                {
                    case "nan": return double.NaN;
                    case "infinity" or "inf": return double.PositiveInfinity;
                    case "-infinity" or "-inf": return double.NegativeInfinity;
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
        }

        throw new SqlException(SqlState.InvalidTextRepresentation, $"invalid input syntax for type {type.DisplayName}: \"{text}\"", position);
    }
}
