using StreamSql.Parser.Errors;

namespace StreamSql.Planner.Types;

/// <summary>PostgreSQL NUMERIC semantics on System.Decimal: display scale rules for division, rounding half away from zero, overflow errors.</summary>
public static class NumericMath
{
    private const int MinSignificantDigits = 16;
    private const int MaxScale = 28;

    public static int Scale(decimal value) => value.Scale;

    /// <summary>Rounds (half away from zero) and pads with zeros so the value shows exactly scale decimals.</summary>
    public static decimal WithScale(decimal value, int scale)
    {
        scale = Math.Clamp(scale, 0, MaxScale);
        var rounded = Math.Round(value, scale, MidpointRounding.AwayFromZero);
        return rounded.Scale >= scale ? rounded : rounded + new decimal(0, 0, 0, false, (byte)scale);
    }

    /// <summary>numeric / numeric with the result scale PostgreSQL's select_div_scale picks (at least 16 significant digits).</summary>
    public static decimal Divide(decimal dividend, decimal divisor)
    {
        if (divisor == 0)
        {
            throw new SqlException(SqlState.DivisionByZero, "division by zero");
        }

        var (weight1, first1) = WeightAndFirstDigit(dividend);
        var (weight2, first2) = WeightAndFirstDigit(divisor);
        var quotientWeight = weight1 - weight2;
        if (first1 <= first2)
        {
            quotientWeight--;
        }

        var scale = MinSignificantDigits - (quotientWeight * 4);
        scale = Math.Max(scale, Math.Max(dividend.Scale, divisor.Scale));
        scale = Math.Max(scale, 0);
        try
        {
            return WithScale(dividend / divisor, scale);
        }
        catch (OverflowException)
        {
            throw Overflow();
        }
    }

    public static decimal Modulo(decimal dividend, decimal divisor) =>
        divisor == 0 ? throw new SqlException(SqlState.DivisionByZero, "division by zero") : dividend % divisor;

    public static decimal Add(decimal a, decimal b) => Checked(() => a + b);

    public static decimal Subtract(decimal a, decimal b) => Checked(() => a - b);

    public static decimal Multiply(decimal a, decimal b) => Checked(() => a * b);

    private static decimal Checked(Func<decimal> operation)
    {
        try
        {
            return operation();
        }
        catch (OverflowException)
        {
            throw Overflow();
        }
    }

    public static SqlException Overflow() => new(SqlState.NumericValueOutOfRange, "value overflows numeric format");

    /// <summary>PostgreSQL keeps numerics in base-10000 digits; the division scale depends on the weight and first digit in that base.</summary>
    private static (int Weight, int FirstDigit) WeightAndFirstDigit(decimal value)
    {
        value = Math.Abs(value);
        if (value == 0)
        {
            return (0, 0);
        }

        if (value >= 1)
        {
            var integer = decimal.Truncate(value);
            var digits = integer.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            var weight = (digits - 1) / 4;
            var first = (int)decimal.Truncate(integer / Pow10000(weight));
            return (weight, first);
        }

        var groups = 0;
        while (value < 1)
        {
            value *= 10000;
            groups++;
        }

        return (-groups, (int)decimal.Truncate(value));
    }

    private static decimal Pow10000(int weight)
    {
        decimal result = 1;
        for (var i = 0; i < weight; i++)
        {
            result *= 10000;
        }

        return result;
    }

    /// <summary>numeric to float8 through its text, as PostgreSQL does, so the result is the correctly rounded double.</summary>
    public static double ToDouble(decimal value) =>
        double.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>float8 to numeric goes through 15 significant digits, as PostgreSQL's float8_numeric does.</summary>
    /// <summary>float4 to numeric: PostgreSQL keeps FLT_DIG (6) significant digits, as float8 keeps 15.</summary>
    public static decimal FromReal(float value) => FromDouble(value, "G6");

    public static decimal FromDouble(double value) => FromDouble(value, "G15");

    private static decimal FromDouble(double value, string format)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"cannot convert {TextValues.FormatDouble(value)} to numeric");
        }

        var text = value.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            return decimal.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            throw Overflow();
        }
    }

    /// <summary>Applies a NUMERIC(precision, scale) type modifier.</summary>
    public static decimal ApplyTypmod(decimal value, int? precision, int? scale)
    {
        if (precision is not { } p)
        {
            return value;
        }

        var s = scale ?? 0;
        var rounded = WithScale(value, s);
        var integerDigits = decimal.Truncate(Math.Abs(rounded)) == 0 ? 0 : decimal.Truncate(Math.Abs(rounded)).ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        if (integerDigits > p - s)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "numeric field overflow",
                detail: $"A field with precision {p}, scale {s} must round to an absolute value less than 10^{p - s}.");
        }

        return rounded;
    }
}
