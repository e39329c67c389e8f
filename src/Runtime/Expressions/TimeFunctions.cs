using System.Globalization;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>date_trunc and date_part (PostgreSQL) and ksqlDB's TIMESTAMPTOSTRING / STRINGTOTIMESTAMP, all in UTC.</summary>
public static class TimeFunctions
{
    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static DateTime ToDateTime(long micros) => Epoch.AddTicks(micros * 10);

    private static long ToMicros(DateTime time) => (time - Epoch).Ticks / 10;

    /// <summary>now(): the current time with microsecond precision (PostgreSQL keeps it fixed per transaction; here per call).</summary>
    public static Value Now() => Value.FromTimestampTz((DateTime.UtcNow - Epoch).Ticks / 10);

    public static Value CurrentDate() => Value.FromDate((int)(DateTime.UtcNow.Date - Epoch).TotalDays);

    public static Value DateTruncTimestampTz(Value unit, Value timestamp) =>
        timestamp.IsNull ? timestamp : Value.FromTimestampTz(DateTrunc(unit, Value.FromTimestamp(timestamp.AsLong)).AsLong);

    public static Value DateTrunc(Value unit, Value timestamp)
    {
        if (unit.IsNull || timestamp.IsNull)
        {
            return Value.Null;
        }

        var micros = timestamp.AsLong;
        var t = ToDateTime(micros);
        DateTime result = unit.AsString.ToLowerInvariant() switch
        {
            "microseconds" or "microsecond" => t,
            "milliseconds" or "millisecond" => new DateTime(t.Ticks - (t.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc),
            "second" or "seconds" => new DateTime(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc),
            "minute" or "minutes" => new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc),
            "hour" or "hours" => new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc),
            "day" or "days" => t.Date,
            "week" or "weeks" => t.Date.AddDays(-(((int)t.DayOfWeek + 6) % 7)),
            "month" or "months" => new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc),
            "quarter" => new DateTime(t.Year, ((t.Month - 1) / 3 * 3) + 1, 1, 0, 0, 0, DateTimeKind.Utc),
            "year" or "years" => new DateTime(t.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            "decade" => new DateTime(t.Year / 10 * 10, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            "century" => new DateTime(((t.Year - 1) / 100 * 100) + 1, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            "millennium" => new DateTime(((t.Year - 1) / 1000 * 1000) + 1, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            var other => throw new SqlException(SqlState.InvalidParameterValue, $"unit \"{other}\" not recognized for type timestamp without time zone"),
        };
        return Value.FromTimestamp(unit.AsString.ToLowerInvariant() is "microseconds" or "microsecond" ? micros : ToMicros(result));
    }

    public static Value DatePart(Value field, Value timestamp)
    {
        if (field.IsNull || timestamp.IsNull)
        {
            return Value.Null;
        }

        var micros = timestamp.AsLong;
        var t = ToDateTime(micros);
        var microsOfMinute = (t.Second * 1_000_000L) + ((t.Ticks % TimeSpan.TicksPerSecond) / 10);
        double result = field.AsString.ToLowerInvariant() switch
        {
            "year" or "years" => t.Year,
            "month" or "months" => t.Month,
            "day" or "days" => t.Day,
            "hour" or "hours" => t.Hour,
            "minute" or "minutes" => t.Minute,
            "second" or "seconds" => microsOfMinute / 1_000_000.0,
            "milliseconds" or "millisecond" => microsOfMinute / 1_000.0,
            "microseconds" or "microsecond" => microsOfMinute,
            "epoch" => micros / 1_000_000.0,
            "dow" => (int)t.DayOfWeek,
            "isodow" => t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek,
            "doy" => t.DayOfYear,
            "quarter" => ((t.Month - 1) / 3) + 1,
            "week" => ISOWeek.GetWeekOfYear(t),
            "decade" => t.Year / 10,
            "century" => ((t.Year - 1) / 100) + 1,
            "millennium" => ((t.Year - 1) / 1000) + 1,
            var other => throw new SqlException(SqlState.InvalidParameterValue, $"unit \"{other}\" not recognized for type timestamp without time zone"),
        };
        return Value.FromDouble(result);
    }

    /// <summary>TIMESTAMPTOSTRING(epoch_millis, pattern) with a Java DateTimeFormatter-style pattern, in UTC.</summary>
    public static Value Timestamptostring(Value millis, Value pattern) =>
        millis.IsNull || pattern.IsNull
            ? Value.Null
            : Value.FromString(Epoch.AddMilliseconds(millis.AsLong).ToString(DotNetPattern(pattern.AsString), CultureInfo.InvariantCulture));

    /// <summary>STRINGTOTIMESTAMP(text, pattern): epoch milliseconds, in UTC.</summary>
    public static Value Stringtotimestamp(Value text, Value pattern)
    {
        if (text.IsNull || pattern.IsNull)
        {
            return Value.Null;
        }

        return DateTime.TryParseExact(text.AsString, DotNetPattern(pattern.AsString), CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? Value.FromBigInt(TextValues.TimestampToMillis(ToMicros(time)))
            : throw new SqlException(SqlState.InvalidDatetimeFormat, $"cannot parse \"{text.AsString}\" with pattern \"{pattern.AsString}\"");
    }

    // Java's fraction letter is S and its am/pm marker a; the other common letters mean the same in .NET.
    private static string DotNetPattern(string java) => java.Replace('S', 'f').Replace("a", "tt", StringComparison.Ordinal);
}
