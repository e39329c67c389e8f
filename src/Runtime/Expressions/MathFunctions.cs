using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>PostgreSQL's math functions with its error codes (2201E logarithms, 2201F powers and roots, 22003 overflow).</summary>
public static class MathFunctions
{
    public static Value TruncDouble(Value v) => v.IsNull ? v : Value.FromDouble(Math.Truncate(v.AsDouble));

    public static Value TruncNumeric(Value v) => v.IsNull ? v : Value.FromNumeric(decimal.Truncate(v.AsNumeric));

    public static Value TruncNumeric(Value v, Value places)
    {
        if (v.IsNull || places.IsNull)
        {
            return Value.Null;
        }

        var n = Math.Clamp(places.AsInt, 0, 28);
        var truncated = Math.Round(v.AsNumeric, n, MidpointRounding.ToZero);
        return Value.FromNumeric(NumericMath.WithScale(truncated, n));
    }

    public static Value SignDouble(Value v) => v.IsNull ? v : Value.FromDouble(double.IsNaN(v.AsDouble) ? double.NaN : Math.Sign(v.AsDouble));

    public static Value SignNumeric(Value v) => v.IsNull ? v : Value.FromNumeric(Math.Sign(v.AsNumeric));

    public static Value ModSmallInt(Value a, Value b) => ValueOps.ModuloSmallInt(a, b);

    public static Value ModInt(Value a, Value b) => ValueOps.ModuloInt(a, b);

    public static Value ModBigInt(Value a, Value b) => ValueOps.ModuloBigInt(a, b);

    public static Value ModNumeric(Value a, Value b) => ValueOps.ModuloNumeric(a, b);

    public static Value Power(Value x, Value y)
    {
        if (x.IsNull || y.IsNull)
        {
            return Value.Null;
        }

        var a = x.AsDouble;
        var b = y.AsDouble;
        if (a == 0 && b < 0)
        {
            throw new SqlException(SqlState.InvalidArgumentForPower, "zero raised to a negative power is undefined");
        }

        if (a < 0 && Math.Floor(b) != b)
        {
            throw new SqlException(SqlState.InvalidArgumentForPower, "a negative number raised to a non-integer power yields a complex result");
        }

        return Checked(Math.Pow(a, b), a, b);
    }

    public static Value Sqrt(Value x)
    {
        if (x.IsNull)
        {
            return x;
        }

        return x.AsDouble < 0
            ? throw new SqlException(SqlState.InvalidArgumentForPower, "cannot take square root of a negative number")
            : Value.FromDouble(Math.Sqrt(x.AsDouble));
    }

    public static Value Exp(Value x) => x.IsNull ? x : Checked(Math.Exp(x.AsDouble), x.AsDouble, 0);

    public static Value Ln(Value x) => Log(x, Math.Log);

    public static Value Log(Value x) => Log(x, Math.Log10);

    private static Value Log(Value x, Func<double, double> log)
    {
        if (x.IsNull)
        {
            return x;
        }

        return x.AsDouble switch
        {
            0 => throw new SqlException(SqlState.InvalidArgumentForLogarithm, "cannot take logarithm of zero"),
            < 0 => throw new SqlException(SqlState.InvalidArgumentForLogarithm, "cannot take logarithm of a negative number"),
            var d => Value.FromDouble(log(d)),
        };
    }

    private static Value Checked(double result, double a, double b)
    {
        if (double.IsInfinity(result) && !double.IsInfinity(a) && !double.IsInfinity(b))
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: overflow");
        }

        if (result == 0 && a != 0 && !double.IsInfinity(b) && b != 0)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: underflow");
        }

        return Value.FromDouble(result);
    }

    /// <summary>greatest/least over arguments of one type: NULLs are ignored, all NULL gives NULL.</summary>
    public static Value Extreme(Value[] args, SqlTypeKind type, bool greatest)
    {
        var best = Value.Null;
        foreach (var v in args)
        {
            if (v.IsNull)
            {
                continue;
            }

            if (best.IsNull)
            {
                best = v;
                continue;
            }

            var cmp = Compare(v, best, type);
            if (greatest ? cmp > 0 : cmp < 0)
            {
                best = v;
            }
        }

        return best;
    }

    /// <summary>nullif(a, b): NULL when a equals b, else a.</summary>
    public static Value Nullif(Value a, Value b, SqlTypeKind type) =>
        !a.IsNull && !b.IsNull && Compare(a, b, type) == 0 ? Value.Null : a;

    private static int Compare(Value a, Value b, SqlTypeKind type) => ValueOrdering.Compare(a, b, type);
}
