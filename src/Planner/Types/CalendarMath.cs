using System.Globalization;
using StreamSql.Parser.Errors;

namespace StreamSql.Planner.Types;

/// <summary>Dates (days since 1970-01-01) and timestamp/interval arithmetic on the proleptic Gregorian calendar, in UTC.</summary>
public static class CalendarMath
{
    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The time of day (microseconds since midnight) of a timestamp.</summary>
    public static long TimeOfDay(long micros)
    {
        var r = micros % Interval.MicrosPerDay;
        return r < 0 ? r + Interval.MicrosPerDay : r;
    }

    public static string FormatDate(int days) => Epoch.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static bool TryParseDate(string text, out int days)
    {
        if (DateTime.TryParseExact(text.Trim(), ["yyyy-MM-dd", "yyyy-M-d", "yyyyMMdd"], CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            days = (int)(date.Date - Epoch).TotalDays;
            return true;
        }

        days = 0;
        return false;
    }

    public static long DateToTimestamp(int days) => days * Interval.MicrosPerDay;

    /// <summary>timestamp → date keeps the day (floor for times before 1970).</summary>
    public static int TimestampToDate(long micros) => (int)Math.Floor(micros / (double)Interval.MicrosPerDay);

    /// <summary>timestamp + interval: months on the calendar (clamping the day of month), then days, then time.</summary>
    public static long AddInterval(long micros, Interval interval)
    {
        try
        {
            var time = Epoch.AddTicks(micros * 10);
            if (interval.Months != 0)
            {
                time = time.AddMonths(interval.Months);
            }

            time = time.AddDays(interval.Days);
            return ((time - Epoch).Ticks / 10) + interval.Micros;
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, "timestamp out of range");
        }
    }

    /// <summary>timestamp - timestamp: whole days and the remaining time (PostgreSQL's justify_hours of the difference).</summary>
    public static Interval Difference(long a, long b)
    {
        var micros = a - b;
        var days = micros / Interval.MicrosPerDay;
        return new Interval(0, (int)days, micros - (days * Interval.MicrosPerDay));
    }
}
