using System.Globalization;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>date_trunc and date_part (PostgreSQL) and ksqlDB's TIMESTAMPTOSTRING / STRINGTOTIMESTAMP, all in UTC.</summary>
public static class TimeFunctions
{
    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // date_trunc's and date_part's unit names (they differ: date_part has "dow", "doy", "epoch"; date_trunc has "weeks").
    private static readonly TimeFieldNames TruncUnits = new(new Dictionary<string, TimeField>
    {
        ["microseconds"] = TimeField.Microsecond, ["microsecond"] = TimeField.Microsecond, ["milliseconds"] = TimeField.Millisecond, ["millisecond"] = TimeField.Millisecond,
        ["second"] = TimeField.Second, ["seconds"] = TimeField.Second, ["minute"] = TimeField.Minute, ["minutes"] = TimeField.Minute, ["hour"] = TimeField.Hour,
        ["hours"] = TimeField.Hour, ["day"] = TimeField.Day, ["days"] = TimeField.Day, ["week"] = TimeField.Week, ["weeks"] = TimeField.Week, ["month"] = TimeField.Month,
        ["months"] = TimeField.Month, ["quarter"] = TimeField.Quarter, ["year"] = TimeField.Year, ["years"] = TimeField.Year, ["decade"] = TimeField.Decade,
        ["century"] = TimeField.Century, ["millennium"] = TimeField.Millennium,
    });

    private static readonly TimeFieldNames PartUnits = new(new Dictionary<string, TimeField>
    {
        ["year"] = TimeField.Year, ["years"] = TimeField.Year, ["month"] = TimeField.Month, ["months"] = TimeField.Month, ["day"] = TimeField.Day, ["days"] = TimeField.Day,
        ["hour"] = TimeField.Hour, ["hours"] = TimeField.Hour, ["minute"] = TimeField.Minute, ["minutes"] = TimeField.Minute, ["second"] = TimeField.Second,
        ["seconds"] = TimeField.Second, ["milliseconds"] = TimeField.Millisecond, ["millisecond"] = TimeField.Millisecond, ["microseconds"] = TimeField.Microsecond,
        ["microsecond"] = TimeField.Microsecond, ["epoch"] = TimeField.Epoch, ["dow"] = TimeField.DayOfWeek, ["isodow"] = TimeField.IsoDayOfWeek,
        ["doy"] = TimeField.DayOfYear, ["quarter"] = TimeField.Quarter, ["week"] = TimeField.Week, ["decade"] = TimeField.Decade, ["century"] = TimeField.Century,
        ["millennium"] = TimeField.Millennium,
    });

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
        var field = TruncUnits.Find(unit.AsString);

        // Units of fixed length (UTC has no shifts) are a floor on the microseconds; the rest go through the calendar.
        switch (field)
        {
            case TimeField.Microsecond:
                return Value.FromTimestamp(micros);
            case TimeField.Millisecond:
                return Value.FromTimestamp(FloorTo(micros, 1_000));
            case TimeField.Second:
                return Value.FromTimestamp(FloorTo(micros, 1_000_000));
            case TimeField.Minute:
                return Value.FromTimestamp(FloorTo(micros, 60_000_000));
            case TimeField.Hour:
                return Value.FromTimestamp(FloorTo(micros, 3_600_000_000));
            case TimeField.Day:
                return Value.FromTimestamp(FloorTo(micros, 86_400_000_000));
        }

        var t = ToDateTime(micros);
        var result = field switch
        {
            TimeField.Week => t.Date.AddDays(-(((int)t.DayOfWeek + 6) % 7)),
            TimeField.Month => new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc),
            TimeField.Quarter => new DateTime(t.Year, ((t.Month - 1) / 3 * 3) + 1, 1, 0, 0, 0, DateTimeKind.Utc),
            TimeField.Year => new DateTime(t.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            TimeField.Decade => new DateTime(t.Year / 10 * 10, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            TimeField.Century => new DateTime(((t.Year - 1) / 100 * 100) + 1, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            TimeField.Millennium => new DateTime(((t.Year - 1) / 1000 * 1000) + 1, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            _ => throw new SqlException(SqlState.InvalidParameterValue, $"unit \"{unit.AsString.ToLowerInvariant()}\" not recognized for type timestamp without time zone"),
        };
        return Value.FromTimestamp(ToMicros(result));
    }

    private static long FloorTo(long micros, long unit)
    {
        var remainder = micros % unit;
        return remainder < 0 ? micros - remainder - unit : micros - remainder;
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
        double result = PartUnits.Find(field.AsString) switch
        {
            TimeField.Year => t.Year,
            TimeField.Month => t.Month,
            TimeField.Day => t.Day,
            TimeField.Hour => t.Hour,
            TimeField.Minute => t.Minute,
            TimeField.Second => microsOfMinute / 1_000_000.0,
            TimeField.Millisecond => microsOfMinute / 1_000.0,
            TimeField.Microsecond => microsOfMinute,
            TimeField.Epoch => micros / 1_000_000.0,
            TimeField.DayOfWeek => (int)t.DayOfWeek,
            TimeField.IsoDayOfWeek => t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek,
            TimeField.DayOfYear => t.DayOfYear,
            TimeField.Quarter => ((t.Month - 1) / 3) + 1,
            TimeField.Week => ISOWeek.GetWeekOfYear(t),
            TimeField.Decade => t.Year / 10,
            TimeField.Century => ((t.Year - 1) / 100) + 1,
            TimeField.Millennium => ((t.Year - 1) / 1000) + 1,
            _ => throw new SqlException(SqlState.InvalidParameterValue, $"unit \"{field.AsString.ToLowerInvariant()}\" not recognized for type timestamp without time zone"),
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
