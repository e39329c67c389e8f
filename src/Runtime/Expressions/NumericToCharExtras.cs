using System.Globalization;
using System.Text;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>
/// The to_char numeric patterns that reshape the whole result rather than place digits, as PostgreSQL's formatting.c
/// does them: RN (Roman numerals, 15 wide unless FM), EEEE (scientific notation), V (shift by 10^n), TH (ordinal
/// suffix), L (currency symbol: a blank in the C locale) and B/C (accepted, no output). Templates with quoted text keep
/// these patterns unsupported.
/// </summary>
internal static partial class NumericToCharExtras
{
    // L (currency), but not the L of PL.
    [System.Text.RegularExpressions.GeneratedRegex("(?<![Pp])[Ll]")]
    private static partial System.Text.RegularExpressions.Regex CurrencyPattern();

    /// <summary>Formats with the extra patterns when the template has any; null when it has none (the caller formats it).</summary>
    public static string? TryFormat(Value value, string format)
    {
        if (format.Contains('"', StringComparison.Ordinal) || !HasExtra(format))
        {
            return null;
        }

        var fillMode = format.Contains("FM", StringComparison.Ordinal) || format.Contains("fm", StringComparison.Ordinal);
        if (Find(format, "RN") is var rn and >= 0)
        {
            return Roman(value, format[rn] == 'r', fillMode);
        }

        if (Find(format, "EEEE") is var e and >= 0)
        {
            return Scientific(value, format[..e]);
        }

        var template = format;
        string? suffix = null;
        if (Find(template, "TH") is var th and >= 0)
        {
            suffix = template[th] == 't' ? "th" : "TH";
            template = template.Remove(th, 2);
        }

        // B and C are PostgreSQL keywords without output; L is the locale's currency symbol, empty (a blank) in C.
        template = CurrencyPattern().Replace(Strip(Strip(template, "B"), "C"), "\" \"");
        if (Find(template, "V") is var v and >= 0)
        {
            var shift = 0;
            for (var i = v + 1; i < template.Length && template[i] is '9' or '0'; i++)
            {
                shift++;
            }

            template = template.Remove(v, 1);
            value = Value.FromNumeric(Math.Round(ToDecimal(value) * Pow10(shift), 0, MidpointRounding.AwayFromZero));
        }

        var text = NumericToChar.Format(value, template);
        return suffix is null ? text : text + Ordinal(value, suffix == "th");
    }

    private static bool HasExtra(string format) =>
        Find(format, "RN") >= 0 || Find(format, "EEEE") >= 0 || Find(format, "TH") >= 0 || Find(format, "V") >= 0
        || CurrencyPattern().IsMatch(format) || Find(format, "B") >= 0 || Find(format, "C") >= 0;

    // The first occurrence of a keyword in upper or lower case (not mixed, as PostgreSQL matches them).
    private static int Find(string format, string keyword)
    {
        var upper = format.IndexOf(keyword, StringComparison.Ordinal);
        var lower = format.IndexOf(keyword.ToLowerInvariant(), StringComparison.Ordinal);
        return upper < 0 ? lower : lower < 0 ? upper : Math.Min(upper, lower);
    }

    private static string Strip(string format, string keyword) =>
        format.Replace(keyword, "", StringComparison.Ordinal).Replace(keyword.ToLowerInvariant(), "", StringComparison.Ordinal);

    private static decimal ToDecimal(Value value) => value.Kind switch
    {
        ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt => value.AsLong,
        ValueKind.Numeric => value.AsNumeric,
        ValueKind.Real => (decimal)value.AsReal,
        _ => (decimal)value.AsDouble,
    };

    private static decimal Pow10(int n)
    {
        var result = 1m;
        for (var i = 0; i < n; i++)
        {
            result *= 10;
        }

        return result;
    }

    private static string Roman(Value value, bool lower, bool fillMode)
    {
        var number = Math.Round(value.Kind is ValueKind.Real or ValueKind.Double ? value.AsDouble : (double)ToDecimal(value), MidpointRounding.AwayFromZero);
        if (number is < 1 or > 3999)
        {
            return new string('#', 15);
        }

        ReadOnlySpan<(int Value, string Text)> numerals =
            [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
        var n = (int)number;
        var roman = new StringBuilder();
        foreach (var (amount, text) in numerals)
        {
            while (n >= amount)
            {
                roman.Append(text);
                n -= amount;
            }
        }

        var result = lower ? roman.ToString().ToLowerInvariant() : roman.ToString();
        return fillMode ? result : result.PadLeft(15);
    }

    // "9.99EEEE": a sign position, the mantissa with as many decimals as the template has after its point, e, the exponent.
    private static string Scientific(Value value, string mantissaTemplate)
    {
        var point = mantissaTemplate.IndexOfAny(['.', 'D', 'd']);
        var decimals = 0;
        for (var i = point + 1; point >= 0 && i < mantissaTemplate.Length && mantissaTemplate[i] is '9' or '0'; i++)
        {
            decimals++;
        }

        var number = value.Kind is ValueKind.Real or ValueKind.Double ? value.AsDouble : (double)ToDecimal(value);
        var text = Math.Abs(number).ToString((decimals > 0 ? "0." + new string('0', decimals) : "0") + "e+00", CultureInfo.InvariantCulture);
        return (number < 0 ? "-" : " ") + text;
    }

    // 1ST 2ND 3RD 4TH ... 11TH 12TH 13TH ... 21ST, of the integer part.
    private static string Ordinal(Value value, bool lower)
    {
        var n = (long)Math.Abs(Math.Truncate(ToDecimal(value))) % 100;
        var suffix = n is >= 11 and <= 13 ? "TH" : (n % 10) switch { 1 => "ST", 2 => "ND", 3 => "RD", _ => "TH" };
        return lower ? suffix.ToLowerInvariant() : suffix;
    }
}
