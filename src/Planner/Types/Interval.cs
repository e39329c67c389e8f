using System.Globalization;
using System.Text;
using StreamSql.Parser.Errors;

namespace StreamSql.Planner.Types;

/// <summary>A PostgreSQL interval: months, days and microseconds kept apart (a month is not a fixed number of days).</summary>
public readonly record struct Interval(int Months, int Days, long Micros) : IComparable<Interval>
{
    public const long MicrosPerDay = 86_400_000_000;
    private const long MicrosPerHour = 3_600_000_000;
    private const long MicrosPerMinute = 60_000_000;

    /// <summary>PostgreSQL compares intervals by their span with 30-day months and 24-hour days.</summary>
    public Int128 Span => ((Int128)Months * 30 * MicrosPerDay) + ((Int128)Days * MicrosPerDay) + Micros;

    public int CompareTo(Interval other) => Span.CompareTo(other.Span);

    public Interval Negate() => new(-Months, -Days, -Micros);

    public Interval Add(Interval other) => new(checked(Months + other.Months), checked(Days + other.Days), checked(Micros + other.Micros));

    /// <summary>interval * factor, cascading fractional months into days and fractional days into time as PostgreSQL does.</summary>
    public Interval Multiply(double factor) => Scale(factor, divide: false);

    /// <summary>interval / divisor, computed as PostgreSQL's interval_div does (dividing, not multiplying by the reciprocal).</summary>
    public Interval Divide(double divisor) => Scale(divisor, divide: true);

    // PostgreSQL 15's interval_mul/interval_div: months and days truncate separately; the month fraction becomes
    // 30-day days (whole days added to days, the rest to time) and the day fraction becomes time, rounded to microseconds.
    private Interval Scale(double factor, bool divide)
    {
        double Apply(double x) => divide ? x / factor : x * factor;
        var monthsDouble = Apply(Months);
        var daysDouble = Apply(Days);
        if (double.IsNaN(monthsDouble) || Math.Abs(monthsDouble) > int.MaxValue || double.IsNaN(daysDouble) || Math.Abs(daysDouble) > int.MaxValue)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "interval out of range");
        }

        var months = (int)monthsDouble;
        var days = (int)daysDouble;
        var monthRemainderDays = (monthsDouble - months) * 30;
        var dayRemainder = daysDouble - days;
        var secRemainder = (dayRemainder + monthRemainderDays - (int)monthRemainderDays) * 86400;
        secRemainder = Math.Round(secRemainder * 1e6, MidpointRounding.ToEven) / 1e6;
        if (Math.Abs(secRemainder) >= 86400)
        {
            days += (int)(secRemainder / 86400);
            secRemainder -= (int)(secRemainder / 86400) * 86400;
        }

        days += (int)monthRemainderDays;
        var micros = Math.Round(Apply(Micros) + (secRemainder * 1e6), MidpointRounding.ToEven);
        if (double.IsNaN(micros) || Math.Abs(micros) >= 9.2233720368547758E18)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "interval out of range");
        }

        return new Interval(months, days, (long)micros);
    }

    public static Interval FromMicros(long micros) => new(0, 0, micros);

    /// <summary>The output of interval_out with IntervalStyle postgres: "1 year 2 mons 3 days 04:05:06.5".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var years = Months / 12;
        var months = Months % 12;
        var isBefore = false;
        var isZero = true;
        Append(sb, years, "year", ref isBefore, ref isZero);
        Append(sb, months, "mon", ref isBefore, ref isZero);
        Append(sb, Days, "day", ref isBefore, ref isZero);
        if (isZero || Micros != 0)
        {
            var minus = Micros < 0;
            var abs = Math.Abs(Micros);
            var hours = abs / MicrosPerHour;
            var minutes = abs % MicrosPerHour / MicrosPerMinute;
            var seconds = abs % MicrosPerMinute / 1_000_000;
            var fraction = abs % 1_000_000;
            sb.Append(isZero ? "" : " ").Append(minus ? "-" : isBefore ? "+" : "");
            sb.Append(hours.ToString("00", CultureInfo.InvariantCulture)).Append(':')
              .Append(minutes.ToString("00", CultureInfo.InvariantCulture)).Append(':')
              .Append(seconds.ToString("00", CultureInfo.InvariantCulture));
            if (fraction != 0)
            {
                sb.Append('.').Append(fraction.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0'));
            }
        }

        return sb.ToString();
    }

    private static void Append(StringBuilder sb, int value, string unit, ref bool isBefore, ref bool isZero)
    {
        if (value == 0)
        {
            return;
        }

        sb.Append(isZero ? "" : " ").Append(isBefore && value > 0 ? "+" : "").Append(value.ToString(CultureInfo.InvariantCulture))
          .Append(' ').Append(unit).Append(value == 1 ? "" : "s");
        isBefore = value < 0;
        isZero = false;
    }

    /// <summary>Parses "1 day 2 hours", "10 seconds", "01:02:03.5", "-1 days +02:00" or, with a unit qualifier (INTERVAL '5' MINUTE), a bare number.</summary>
    public static Interval Parse(string text, string? unit, int? position)
    {
        var tokens = text.Trim().ToLowerInvariant().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            throw Invalid(text, position);
        }

        long months = 0;
        long days = 0;
        double micros = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token.Contains(':'))
            {
                micros += ParseTime(token, text, position);
                continue;
            }

            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            {
                if (token == "ago")
                {
                    months = -months;
                    days = -days;
                    micros = -micros;
                    continue;
                }

                throw Invalid(text, position);
            }

            var tokenUnit = i + 1 < tokens.Length && !char.IsDigit(tokens[i + 1][0]) && tokens[i + 1][0] is not ('-' or '+' or '.') && tokens[i + 1] != "ago"
                ? tokens[++i]
                : unit ?? "second";
            switch (Normalize(tokenUnit, text, position))
            {
                case "year": months += (long)Math.Round(amount * 12); break;
                case "month": months += (long)Math.Truncate(amount); days += (long)Math.Round((amount - Math.Truncate(amount)) * 30); break;
                case "week": days += (long)Math.Truncate(amount * 7); micros += (amount * 7 - Math.Truncate(amount * 7)) * MicrosPerDay; break;
                case "day": days += (long)Math.Truncate(amount); micros += (amount - Math.Truncate(amount)) * MicrosPerDay; break;
                case "hour": micros += amount * MicrosPerHour; break;
                case "minute": micros += amount * MicrosPerMinute; break;
                case "second": micros += amount * 1_000_000; break;
                case "millisecond": micros += amount * 1_000; break;
                default: micros += amount; break;
            }
        }

        if (months is > int.MaxValue or < int.MinValue || days is > int.MaxValue or < int.MinValue)
        {
            throw new SqlException(SqlState.IntervalFieldOverflow, $"interval field value out of range: \"{text}\"", position);
        }

        return new Interval((int)months, (int)days, (long)Math.Round(micros));
    }

    private static string Normalize(string unit, string text, int? position) => unit switch
    {
        "y" or "yr" or "yrs" or "year" or "years" => "year",
        "mon" or "mons" or "month" or "months" => "month",
        "w" or "week" or "weeks" => "week",
        "d" or "day" or "days" => "day",
        "h" or "hr" or "hrs" or "hour" or "hours" => "hour",
        "m" or "min" or "mins" or "minute" or "minutes" => "minute",
        "s" or "sec" or "secs" or "second" or "seconds" => "second",
        "ms" or "msec" or "msecs" or "millisecond" or "milliseconds" => "millisecond",
        "us" or "usec" or "usecs" or "microsecond" or "microseconds" => "microsecond",
        _ => throw Invalid(text, position),
    };

    private static double ParseTime(string token, string text, int? position)
    {
        var negative = token.StartsWith('-');
        var parts = token.TrimStart('-', '+').Split(':');
        if (parts.Length is < 2 or > 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m))
        {
            throw Invalid(text, position);
        }

        double s = 0;
        if (parts.Length == 3 && !double.TryParse(parts[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out s))
        {
            throw Invalid(text, position);
        }

        var micros = (h * MicrosPerHour) + (m * MicrosPerMinute) + (s * 1_000_000);
        return negative ? -micros : micros;
    }

    private static SqlException Invalid(string text, int? position) =>
        new(SqlState.InvalidDatetimeFormat, $"invalid input syntax for type interval: \"{text}\"", position);
}
