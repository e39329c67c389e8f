using StreamSql.Parser.Errors;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>Null-propagating scalar operations called by compiled expressions; errors follow PostgreSQL (22003, 22012).</summary>
public static class ValueOps
{
    public static readonly Value True = Value.FromBoolean(true);
    public static readonly Value False = Value.FromBoolean(false);

    public static bool IsTrue(Value v) => v.Kind == ValueKind.Boolean && v.AsBoolean;

    // ---- arithmetic ----

    public static Value AddInt(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : IntResult((long)a.AsInt + b.AsInt);

    public static Value SubtractInt(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : IntResult((long)a.AsInt - b.AsInt);

    public static Value MultiplyInt(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : IntResult((long)a.AsInt * b.AsInt);

    public static Value DivideInt(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        return b.AsInt == 0 ? throw DivisionByZero() : IntResult((long)a.AsInt / b.AsInt);
    }

    public static Value ModuloInt(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        return b.AsInt == 0 ? throw DivisionByZero() : Value.FromInt(b.AsInt == -1 ? 0 : a.AsInt % b.AsInt);
    }

    // ---- smallint: computed in 32 bits, range-checked back to 16 ----

    public static Value AddSmallInt(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : SmallIntResult(a.AsInt + b.AsInt);

    public static Value SubtractSmallInt(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : SmallIntResult(a.AsInt - b.AsInt);

    public static Value MultiplySmallInt(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : SmallIntResult(a.AsInt * b.AsInt);

    public static Value DivideSmallInt(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        return b.AsInt == 0 ? throw DivisionByZero() : SmallIntResult(a.AsInt / b.AsInt);
    }

    public static Value ModuloSmallInt(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        return b.AsInt == 0 ? throw DivisionByZero() : Value.FromSmallInt((short)(a.AsInt % b.AsInt));
    }

    public static Value NegateSmallInt(Value a) => a.IsNull ? Value.Null : SmallIntResult(-a.AsInt);

    private static Value SmallIntResult(int r) => r is < short.MinValue or > short.MaxValue ? throw SmallIntOutOfRange() : Value.FromSmallInt((short)r);

    // ---- real: each result rounded to float4 (exact: a double holds any float4 sum, difference, product or quotient before rounding) ----

    public static Value AddReal(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : RealResult(a.AsDouble + b.AsDouble, a, b, true);

    public static Value SubtractReal(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : RealResult(a.AsDouble - b.AsDouble, a, b, true);

    public static Value MultiplyReal(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : RealResult(a.AsDouble * b.AsDouble, a, b, a.AsDouble == 0 || b.AsDouble == 0);

    public static Value DivideReal(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        // float4_div: NaN / 0 is NaN; a zero quotient underflows unless the dividend is zero or the divisor infinite.
        return b.AsDouble == 0 && !double.IsNaN(a.AsDouble) ? throw DivisionByZero() : RealResult(a.AsDouble / b.AsDouble, a, b, a.AsDouble == 0 || double.IsInfinity(b.AsDouble));
    }

    public static Value NegateReal(Value a) => a.IsNull ? Value.Null : Value.FromReal(-a.AsReal);

    /// <summary>PostgreSQL's check_float4_val: infinity from finite inputs overflows; zero from nonzero inputs (where zero was not allowed) underflows.</summary>
    private static Value RealResult(double r, Value a, Value b, bool zeroAllowed)
    {
        var f = (float)r;
        if (float.IsInfinity(f) && !double.IsInfinity(a.AsDouble) && !double.IsInfinity(b.AsDouble))
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: overflow");
        }

        if (f == 0 && !zeroAllowed)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: underflow");
        }

        return Value.FromReal(f);
    }

    public static Value AddBigInt(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        var r = a.AsLong + b.AsLong;
        return ((a.AsLong ^ r) & (b.AsLong ^ r)) < 0 ? throw BigIntOutOfRange() : Value.FromBigInt(r);
    }

    public static Value SubtractBigInt(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        var r = a.AsLong - b.AsLong;
        return ((a.AsLong ^ b.AsLong) & (a.AsLong ^ r)) < 0 ? throw BigIntOutOfRange() : Value.FromBigInt(r);
    }

    public static Value MultiplyBigInt(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        var high = Math.BigMul(a.AsLong, b.AsLong, out long low);
        return (high != 0 || low < 0) && (high != -1 || low >= 0) ? throw BigIntOutOfRange() : Value.FromBigInt(low);
    }

    public static Value DivideBigInt(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        if (b.AsLong == 0)
        {
            throw DivisionByZero();
        }

        return b.AsLong == -1 ? (a.AsLong == long.MinValue ? throw BigIntOutOfRange() : Value.FromBigInt(-a.AsLong)) : Value.FromBigInt(a.AsLong / b.AsLong);
    }

    public static Value ModuloBigInt(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        return b.AsLong == 0 ? throw DivisionByZero() : Value.FromBigInt(b.AsLong == -1 ? 0 : a.AsLong % b.AsLong);
    }

    public static Value AddDouble(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : DoubleResult(a.AsDouble + b.AsDouble, a, b);

    public static Value SubtractDouble(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : DoubleResult(a.AsDouble - b.AsDouble, a, b);

    public static Value MultiplyDouble(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : DoubleResult(a.AsDouble * b.AsDouble, a, b);

    public static Value DivideDouble(Value a, Value b)
    {
        if (a.IsNull || b.IsNull)
        {
            return Value.Null;
        }

        return b.AsDouble == 0 && !double.IsNaN(a.AsDouble) ? throw DivisionByZero() : DoubleResult(a.AsDouble / b.AsDouble, a, b);
    }

    public static Value AddNumeric(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromNumeric(NumericMath.Add(a.AsNumeric, b.AsNumeric));

    public static Value SubtractNumeric(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromNumeric(NumericMath.Subtract(a.AsNumeric, b.AsNumeric));

    public static Value MultiplyNumeric(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromNumeric(NumericMath.Multiply(a.AsNumeric, b.AsNumeric));

    public static Value DivideNumeric(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromNumeric(NumericMath.Divide(a.AsNumeric, b.AsNumeric));

    public static Value ModuloNumeric(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromNumeric(NumericMath.Modulo(a.AsNumeric, b.AsNumeric));

    public static Value NegateNumeric(Value a) => a.IsNull ? Value.Null : Value.FromNumeric(-a.AsNumeric);

    public static int CompareNumeric(Value a, Value b) => a.AsNumeric.CompareTo(b.AsNumeric);

    public static Value NegateInt(Value a) => a.IsNull ? Value.Null : a.AsInt == int.MinValue ? throw IntOutOfRange() : Value.FromInt(-a.AsInt);

    public static Value NegateBigInt(Value a) => a.IsNull ? Value.Null : a.AsLong == long.MinValue ? throw BigIntOutOfRange() : Value.FromBigInt(-a.AsLong);

    public static Value NegateDouble(Value a) => a.IsNull ? Value.Null : Value.FromDouble(-a.AsDouble);

    private static Value IntResult(long r) => r is < int.MinValue or > int.MaxValue ? throw IntOutOfRange() : Value.FromInt((int)r);

    // float8 overflow is an error in PostgreSQL unless an input was already infinite.
    private static Value DoubleResult(double r, Value a, Value b) =>
        double.IsInfinity(r) && !double.IsInfinity(a.AsDouble) && !double.IsInfinity(b.AsDouble)
            ? throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: overflow")
            : Value.FromDouble(r);

    // ---- comparison: Compare* return <0, 0, >0; callers have checked nulls ----

    public static int CompareLong(Value a, Value b) => a.AsLong.CompareTo(b.AsLong);

    public static int CompareBoolean(Value a, Value b) => a.AsBoolean.CompareTo(b.AsBoolean);

    /// <summary>PostgreSQL orders NaN above every other float (Infinity included) and equal to itself; .NET's CompareTo puts NaN first.</summary>
    public static int CompareDouble(Value a, Value b)
    {
        var x = a.AsDouble;
        var y = b.AsDouble;
        return double.IsNaN(x) ? (double.IsNaN(y) ? 0 : 1) : double.IsNaN(y) ? -1 : x.CompareTo(y);
    }

    public static int CompareString(Value a, Value b) => string.CompareOrdinal(a.AsString, b.AsString);

    /// <summary>bytea compares bytewise (memcmp), a shorter prefix first.</summary>
    public static int CompareBytes(Value a, Value b) => a.AsBytes.AsSpan().SequenceCompareTo(b.AsBytes);

    /// <summary>PostgreSQL's array ordering: element by element (a NULL element sorts after any value), then the shorter first.</summary>
    public static int CompareArray(Value a, Value b)
    {
        var x = a.AsArray;
        var y = b.AsArray;
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            var c = x[i].IsNull ? (y[i].IsNull ? 0 : 1) : y[i].IsNull ? -1 : ValueOrdering.Compare(x[i], y[i], ElementKind(x[i]));
            if (c != 0)
            {
                return c;
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    private static SqlTypeKind ElementKind(Value v) => v.Kind switch
    {
        ValueKind.Double => SqlTypeKind.Double,
        ValueKind.Real => SqlTypeKind.Real,
        ValueKind.Numeric => SqlTypeKind.Numeric,
        ValueKind.String => SqlTypeKind.Varchar,
        ValueKind.Boolean => SqlTypeKind.Boolean,
        ValueKind.Interval => SqlTypeKind.Interval,
        ValueKind.Bytes => SqlTypeKind.Bytea,
        ValueKind.Array => SqlTypeKind.Array,
        _ => SqlTypeKind.BigInt,
    };

    // ---- logic (three-valued) ----

    public static Value And(Value a, Value b)
    {
        if ((a.Kind == ValueKind.Boolean && !a.AsBoolean) || (b.Kind == ValueKind.Boolean && !b.AsBoolean))
        {
            return False;
        }

        return a.IsNull || b.IsNull ? Value.Null : True;
    }

    public static Value Or(Value a, Value b)
    {
        if (IsTrue(a) || IsTrue(b))
        {
            return True;
        }

        return a.IsNull || b.IsNull ? Value.Null : False;
    }

    public static Value Not(Value a) => a.IsNull ? Value.Null : Value.FromBoolean(!a.AsBoolean);

    public static Value IsBoolean(Value a, bool value, bool negated) => Value.FromBoolean((!a.IsNull && a.AsBoolean == value) != negated);

    public static Value ConcatBytes(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromBytes([.. a.AsBytes, .. b.AsBytes]);

    public static Value Concat(Value a, Value b) => a.IsNull || b.IsNull ? Value.Null : Value.FromString(string.Concat(a.AsString, b.AsString));

    internal static SqlException DivisionByZero() => new(SqlState.DivisionByZero, "division by zero");

    internal static SqlException IntOutOfRange() => new(SqlState.NumericValueOutOfRange, "integer out of range");

    internal static SqlException SmallIntOutOfRange() => new(SqlState.NumericValueOutOfRange, "smallint out of range");

    internal static SqlException BigIntOutOfRange() => new(SqlState.NumericValueOutOfRange, "bigint out of range");
}
