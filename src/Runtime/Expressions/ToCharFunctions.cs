using System.Globalization;
using System.Text;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>
/// PostgreSQL's to_char(timestamp|timestamptz|date|interval, text) and to_char(number, text), in UTC,
/// following formatting.c's template patterns (checked against PostgreSQL 15).
/// </summary>
public static class ToCharFunctions
{
    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly string[] MonthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] RomanMonths = ["XII", "XI", "X", "IX", "VIII", "VII", "VI", "V", "IV", "III", "II", "I"];

    // Keywords in formatting.c's match order: at a position, the first one that matches wins (longer before shorter).
    private static readonly string[] Keywords =
    [
        "A.D.", "A.M.", "AD", "AM", "B.C.", "BC", "CC", "DAY", "DDD", "DD", "DY", "Day", "Dy", "D",
        "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "FX", "HH24", "HH12", "HH", "IDDD", "ID", "IW", "IYYY", "IYY", "IY", "I",
        "J", "MI", "MM", "MONTH", "MON", "MS", "Month", "Mon", "OF", "P.M.", "PM", "Q", "RM", "SSSSS", "SSSS", "SS",
        "TZH", "TZM", "TZ", "US", "WW", "W", "Y,YYY", "YYYY", "YYY", "YY", "Y",
        "a.d.", "a.m.", "ad", "am", "b.c.", "bc", "cc", "day", "ddd", "dd", "dy", "d",
        "ff1", "ff2", "ff3", "ff4", "ff5", "ff6", "fx", "hh24", "hh12", "hh", "iddd", "id", "iw", "iyyy", "iyy", "iy", "i",
        "j", "mi", "mm", "month", "mon", "ms", "of", "p.m.", "pm", "q", "rm", "sssss", "ssss", "ss", "tz", "us", "ww", "w",
        "y,yyy", "yyyy", "yyy", "yy", "y",
    ];

    /// <summary>The broken-down time (PostgreSQL's pg_tm / pg_itm) that the patterns read.</summary>
    private readonly record struct Tm(long Year, int Month, int Day, long Hour, int Minute, int Second, int Micros, int YearDay, int DayOfWeek, bool IsInterval, bool HasZone);

    /// <summary>to_char(value, template): NULL for a NULL argument; an empty template gives NULL for a date/time and '' for a number, as in PostgreSQL.</summary>
    public static Value ToChar(Value value, Value format)
    {
        if (value.IsNull || format.IsNull)
        {
            return Value.Null;
        }

        if (format.AsString.Length == 0)
        {
            return value.Kind is ValueKind.Timestamp or ValueKind.TimestampTz or ValueKind.Date or ValueKind.Interval ? Value.Null : Value.FromString("");
        }

        return value.Kind switch
        {
            ValueKind.Timestamp => Value.FromString(FormatDateTime(FromMicros(value.AsLong, hasZone: false), format.AsString)),
            ValueKind.TimestampTz => Value.FromString(FormatDateTime(FromMicros(value.AsLong, hasZone: true), format.AsString)),
            ValueKind.Date => Value.FromString(FormatDateTime(FromMicros(value.AsInt * Interval.MicrosPerDay, hasZone: true), format.AsString)),
            ValueKind.Interval => Value.FromString(FormatDateTime(FromInterval(value.AsInterval), format.AsString)),
            _ => Value.FromString(NumericToCharExtras.TryFormat(value, format.AsString) ?? NumericToChar.Format(value, format.AsString)),
        };
    }

    private static Tm FromMicros(long micros, bool hasZone)
    {
        var t = Epoch.AddTicks(micros * 10);
        var usec = (int)(((micros % 1_000_000) + 1_000_000) % 1_000_000);
        return new Tm(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, usec, t.DayOfYear, (int)t.DayOfWeek, false, hasZone);
    }

    private static Tm FromInterval(Interval interval)
    {
        var years = interval.Months / 12;
        var months = interval.Months % 12;
        var micros = interval.Micros;
        var hour = micros / 3_600_000_000;
        micros -= hour * 3_600_000_000;
        var minute = (int)(micros / 60_000_000);
        micros -= minute * 60_000_000L;
        var second = (int)(micros / 1_000_000);
        var usec = (int)(micros - (second * 1_000_000L));

        // As in PostgreSQL, the day of the year approximates the whole span in days.
        var yday = (((years * 12) + months) * 30) + interval.Days;
        return new Tm(years, months, interval.Days, hour, minute, second, usec, yday, 0, true, false);
    }

    // C's printf("%0*d", width, value): the minus sign counts towards the width.
    private static string Pad(long value, int width)
    {
        var digits = Math.Abs(value).ToString(CultureInfo.InvariantCulture);
        if (value < 0)
        {
            return "-" + (digits.Length < width - 1 ? digits.PadLeft(width - 1, '0') : digits);
        }

        return digits.Length < width ? digits.PadLeft(width, '0') : digits;
    }

    // The width PostgreSQL pads a field to: none with FM, one more for the sign when negative where it says so.
    private static string Field(long value, int width, bool fm, bool signWidens = true) =>
        Pad(value, fm ? 0 : value < 0 && signWidens ? width + 1 : width);

    private static string Ordinal(string number, bool upper)
    {
        var last = number.Length > 0 ? number[^1] : '0';
        var tens = number.Length > 1 ? number[^2] : '0';
        var suffix = tens == '1' ? "th" : last switch
        {
            '1' => "st",
            '2' => "nd",
            '3' => "rd",
            _ => "th",
        };
        return upper ? suffix.ToUpperInvariant() : suffix;
    }

    private static SqlException InvalidForInterval() =>
        new(SqlState.InvalidDatetimeFormat, "invalid format specification for an interval value");

    private static string FormatDateTime(Tm tm, string format)
    {
        var sb = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            // Literal text in double quotes; a backslash inside quotes escapes the next character.
            if (format[i] == '"')
            {
                i++;
                while (i < format.Length && format[i] != '"')
                {
                    if (format[i] == '\\' && i + 1 < format.Length)
                    {
                        i++;
                    }

                    sb.Append(format[i]);
                    i++;
                }

                i++;
                continue;
            }

            if (format[i] == '\\' && i + 1 < format.Length && format[i + 1] == '"')
            {
                sb.Append('"');
                i += 2;
                continue;
            }

            // Prefixes FM (fill mode: no padding) and TM (translation: English here).
            var fm = false;
            var tmPrefix = false;
            var start = i;
            while (i + 1 < format.Length && (string.CompareOrdinal(format, i, "FM", 0, 2) == 0 || string.CompareOrdinal(format, i, "fm", 0, 2) == 0
                       || string.CompareOrdinal(format, i, "TM", 0, 2) == 0 || string.CompareOrdinal(format, i, "tm", 0, 2) == 0))
            {
                fm |= char.ToUpperInvariant(format[i]) == 'F';
                tmPrefix |= char.ToUpperInvariant(format[i]) == 'T';
                i += 2;
            }

            var keyword = Keywords.FirstOrDefault(k => string.CompareOrdinal(format, i, k, 0, k.Length) == 0 && i + k.Length <= format.Length);
            if (keyword is null)
            {
                // Unmatched prefix letters and any other character are copied as they are.
                i = start;
                sb.Append(format[i]);
                i++;
                continue;
            }

            i += keyword.Length;
            string? th = null;
            if (i + 1 < format.Length && (string.CompareOrdinal(format, i, "TH", 0, 2) == 0 || string.CompareOrdinal(format, i, "th", 0, 2) == 0))
            {
                th = format.Substring(i, 2);
                i += 2;
            }

            if (i + 1 < format.Length && string.CompareOrdinal(format, i, "SP", 0, 2) == 0)
            {
                i += 2;
            }

            var (text, numeric) = Render(keyword, tm, fm, tmPrefix);
            sb.Append(text);
            if (th is not null && numeric && text.Length > 0)
            {
                sb.Append(Ordinal(text, th == "TH"));
            }
        }

        return sb.ToString();
    }

    private static (string Text, bool Numeric) Render(string keyword, Tm tm, bool fm, bool tmPrefix)
    {
        var upper = keyword.ToUpperInvariant();
        switch (upper)
        {
            case "A.D." or "AD" or "B.C." or "BC":
                if (tm.IsInterval)
                {
                    throw InvalidForInterval();
                }

                var era = tm.Year > 0 ? (upper.Contains('.') ? "A.D." : "AD") : (upper.Contains('.') ? "B.C." : "BC");
                return (char.IsLower(keyword[0]) ? era.ToLowerInvariant() : era, false);
            case "A.M." or "AM" or "P.M." or "PM":
                var pm = tm.Hour % 24 >= 12;
                var marker = upper.Contains('.') ? (pm ? "P.M." : "A.M.") : (pm ? "PM" : "AM");
                return (char.IsLower(keyword[0]) ? marker.ToLowerInvariant() : marker, false);
            case "FX":
                return ("", false);
        }

        switch (keyword)
        {
            case "MONTH" or "Month" or "month" or "MON" or "Mon" or "mon":
            {
                if (tm.IsInterval)
                {
                    throw InvalidForInterval();
                }

                var name = MonthNames[tm.Month - 1];
                return (Names(keyword, name, fm || tmPrefix), false);
            }

            case "DAY" or "Day" or "day" or "DY" or "Dy" or "dy":
            {
                if (tm.IsInterval)
                {
                    throw InvalidForInterval();
                }

                return (Names(keyword, DayNames[tm.DayOfWeek], fm || tmPrefix), false);
            }
        }

        long hour12 = tm.Hour % 12 == 0 ? 12 : tm.Hour % 12;
        switch (upper)
        {
            case "YYYY":
                return (Field(tm.Year, 4, fm), true);
            case "YYY":
                return (Field(tm.Year % 1000, 3, fm), true);
            case "YY":
                return (Field(tm.Year % 100, 2, fm), true);
            case "Y":
                return (Field(tm.Year % 10, 1, fm), true);
            case "Y,YYY":
                return (Pad(tm.Year / 1000, 0) + "," + Pad(tm.Year % 1000, 3), true);
            case "CC":
                var century = tm.IsInterval ? tm.Year / 100 : tm.Year > 0 ? ((tm.Year - 1) / 100) + 1 : (tm.Year / 100) - 1;
                return (Field(century, 2, fm, signWidens: false), true);
            case "MM":
                return (Field(tm.Month, 2, fm), true);
            case "DD":
                return (Field(tm.Day, 2, fm, signWidens: false), true);
            case "DDD":
                return (Field(tm.YearDay, 3, fm, signWidens: false), true);
            case "D":
                if (tm.IsInterval)
                {
                    throw InvalidForInterval();
                }

                return ((tm.DayOfWeek + 1).ToString(CultureInfo.InvariantCulture), true);
            case "HH" or "HH12":
                return (Field(hour12, 2, fm), true);
            case "HH24":
                return (Field(tm.Hour, 2, fm), true);
            case "MI":
                return (Field(tm.Minute, 2, fm), true);
            case "SS":
                return (Field(tm.Second, 2, fm), true);
            case "MS":
                return (Pad(tm.Micros / 1000, 3), true);
            case "US":
                return (Pad(tm.Micros, 6), true);
            case "FF1" or "FF2" or "FF3" or "FF4" or "FF5" or "FF6":
                var digits = upper[2] - '0';
                return (Pad(tm.Micros / (long)Math.Pow(10, 6 - digits), digits), true);
            case "SSSS" or "SSSSS":
                return (((tm.Hour * 3600) + (tm.Minute * 60) + tm.Second).ToString(CultureInfo.InvariantCulture), true);
            case "Q":
                return tm.Month == 0 ? ("", true) : ((((tm.Month - 1) / 3) + 1).ToString(CultureInfo.InvariantCulture), true);
            case "WW":
                return (Field(((tm.YearDay - 1) / 7) + 1, 2, fm), true);
            case "W":
                return ((((tm.Day - 1) / 7) + 1).ToString(CultureInfo.InvariantCulture), true);
            case "RM":
                if (tm.Month == 0 && tm.Year == 0)
                {
                    return ("", false);
                }

                var index = tm.Month == 0 ? (tm.Year >= 0 ? 0 : 11) : tm.Month < 0 ? -(tm.Month + 1) : 12 - tm.Month;
                var roman = keyword == "rm" ? RomanMonths[index].ToLowerInvariant() : RomanMonths[index];
                return (fm ? roman : roman.PadRight(4), false);
            case "TZ":
                if (tm.IsInterval)
                {
                    throw InvalidForInterval();
                }

                return (tm.HasZone ? (keyword == "tz" ? "utc" : "UTC") : "", false);
            case "OF" or "TZH":
                if (tm.IsInterval)
                {
                    throw InvalidForInterval();
                }

                return ("+00", false);
            case "TZM":
                if (tm.IsInterval)
                {
                    throw InvalidForInterval();
                }

                return ("00", false);
        }

        // ISO 8601 week-numbering fields and the Julian day need a calendar date.
        if (tm.IsInterval)
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"to_char pattern \"{keyword}\" is not supported for interval values");
        }

        var date = new DateTime((int)tm.Year, tm.Month, tm.Day, 0, 0, 0, DateTimeKind.Utc);
        var isoYear = ISOWeek.GetYear(date);
        var isoWeek = ISOWeek.GetWeekOfYear(date);
        var isoDow = tm.DayOfWeek == 0 ? 7 : tm.DayOfWeek;
        return upper switch
        {
            "IYYY" => (Field(isoYear, 4, fm), true),
            "IYY" => (Field(isoYear % 1000, 3, fm), true),
            "IY" => (Field(isoYear % 100, 2, fm), true),
            "I" => (Field(isoYear % 10, 1, fm), true),
            "IW" => (Field(isoWeek, 2, fm), true),
            "ID" => (isoDow.ToString(CultureInfo.InvariantCulture), true),
            "IDDD" => (Field(((isoWeek - 1) * 7) + isoDow, 3, fm), true),
            "J" => (((long)(date - Epoch).TotalDays + 2440588).ToString(CultureInfo.InvariantCulture), true),
            _ => throw new InvalidOperationException("unhandled to_char pattern " + keyword),
        };
    }

    private static string Names(string keyword, string name, bool fm)
    {
        var abbreviated = keyword.ToUpperInvariant() is "MON" or "DY";
        var text = abbreviated ? name[..3] : name;
        text = char.IsLower(keyword[0]) ? text.ToLowerInvariant() : char.IsLower(keyword[1]) ? text : text.ToUpperInvariant();
        return abbreviated || fm ? text : text.PadRight(9);
    }
}
