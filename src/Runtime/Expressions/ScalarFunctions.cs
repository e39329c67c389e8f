using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>Implementations of the registry's scalar functions (PostgreSQL semantics); NULL in, NULL out unless noted.</summary>
public static class ScalarFunctions
{
    public static Value Upper(Value s) => s.IsNull ? s : Value.FromString(s.AsString.ToUpperInvariant());

    public static Value Lower(Value s) => s.IsNull ? s : Value.FromString(s.AsString.ToLowerInvariant());

    /// <summary>octet_length: bytes of the UTF-8 text, or of the bytea.</summary>
    public static Value OctetLength(Value s) =>
        s.IsNull ? s : Value.FromInt(s.Kind == ValueKind.Bytes ? s.AsBytes.Length : System.Text.Encoding.UTF8.GetByteCount(s.AsString));

    /// <summary>Characters, not UTF-16 units (a surrogate pair counts once); bytes for a bytea.</summary>
    public static Value Length(Value s)
    {
        if (s.IsNull)
        {
            return s;
        }

        if (s.Kind == ValueKind.Bytes)
        {
            return Value.FromInt(s.AsBytes.Length);
        }

        // Characters are code points: a surrogate pair counts once. Most text has none, which a vectorized search tells.
        var text = s.AsString;
        var first = text.AsSpan().IndexOfAnyInRange('\uDC00', '\uDFFF');
        if (first < 0)
        {
            return Value.FromInt(text.Length);
        }

        var count = first;
        for (var i = first; i < text.Length; i++)
        {
            if (!char.IsLowSurrogate(text[i]))
            {
                count++;
            }
        }

        return Value.FromInt(count);
    }

    public static Value Trim(Value s) => s.IsNull ? s : Value.FromString(s.AsString.Trim(' '));

    public static Value Substring(Value s, Value start) => s.IsNull || start.IsNull ? Value.Null : Substring(s.AsString, start.AsInt, int.MaxValue);

    public static Value Substring(Value s, Value start, Value length)
    {
        if (s.IsNull || start.IsNull || length.IsNull)
        {
            return Value.Null;
        }

        return length.AsInt < 0
            ? throw new SqlException(SqlState.SubstringError, "negative substring length not allowed")
            : Substring(s.AsString, start.AsInt, length.AsInt);
    }

    // PostgreSQL: characters from position start (1-based, may be <= 0) for length characters.
    private static Value Substring(string text, int start, int length)
    {
        long from = start - 1;
        long to = length == int.MaxValue ? long.MaxValue : from + length;
        from = Math.Max(from, 0);
        to = Math.Min(to, text.Length);
        return Value.FromString(from >= to ? "" : text.Substring((int)from, (int)(to - from)));
    }

    /// <summary>concat ignores NULL arguments.</summary>
    public static Value Concat(Value[] args)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var a in args)
        {
            if (!a.IsNull)
            {
                sb.Append(a.ToText());
            }
        }

        return Value.FromString(sb.ToString());
    }

    public static Value AbsInt(Value v) => v.IsNull ? v : v.AsInt == int.MinValue ? throw ValueOps.IntOutOfRange() : Value.FromInt(Math.Abs(v.AsInt));

    public static Value AbsSmallInt(Value v) => v.IsNull ? v : v.AsInt == short.MinValue ? throw ValueOps.SmallIntOutOfRange() : Value.FromSmallInt((short)Math.Abs(v.AsInt));

    public static Value AbsReal(Value v) => v.IsNull ? v : Value.FromReal(Math.Abs(v.AsReal));

    public static Value AbsBigInt(Value v) => v.IsNull ? v : v.AsLong == long.MinValue ? throw ValueOps.BigIntOutOfRange() : Value.FromBigInt(Math.Abs(v.AsLong));

    public static Value AbsNumeric(Value v) => v.IsNull ? v : Value.FromNumeric(Math.Abs(v.AsNumeric));

    public static Value RoundNumeric(Value v) => v.IsNull ? v : Value.FromNumeric(NumericMath.WithScale(v.AsNumeric, 0));

    /// <summary>round(numeric, n) rounds half away from zero to n places (n may be negative).</summary>
    public static Value RoundNumeric(Value v, Value places)
    {
        if (v.IsNull || places.IsNull)
        {
            return Value.Null;
        }

        var n = places.AsInt;
        if (n >= 0)
        {
            return Value.FromNumeric(NumericMath.WithScale(v.AsNumeric, n));
        }

        var factor = (decimal)Math.Pow(10, -n);
        return Value.FromNumeric(Math.Round(v.AsNumeric / factor, MidpointRounding.AwayFromZero) * factor);
    }

    public static Value FloorNumeric(Value v) => v.IsNull ? v : Value.FromNumeric(decimal.Floor(v.AsNumeric));

    public static Value CeilNumeric(Value v) => v.IsNull ? v : Value.FromNumeric(decimal.Ceiling(v.AsNumeric));

    public static Value AbsDouble(Value v) => v.IsNull ? v : Value.FromDouble(Math.Abs(v.AsDouble));

    /// <summary>round(float8) rounds half to even, as PostgreSQL's rint does.</summary>
    public static Value Round(Value v) => v.IsNull ? v : Value.FromDouble(Math.Round(v.AsDouble, MidpointRounding.ToEven));

    public static Value Floor(Value v) => v.IsNull ? v : Value.FromDouble(Math.Floor(v.AsDouble));

    public static Value Ceil(Value v) => v.IsNull ? v : Value.FromDouble(Math.Ceiling(v.AsDouble));
}
