using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>PostgreSQL's implicit conversions: unknown literals adopt the other side's type, integers widen to bigint and double.</summary>
public static class Coercion
{
    private static int NumericRank(SqlTypeKind kind) => kind switch
    {
        // PostgreSQL's implicit numeric casts: int2 → int4 → int8 → numeric → float4 → float8.
        SqlTypeKind.SmallInt => 1,
        SqlTypeKind.Int => 2,
        SqlTypeKind.BigInt => 3,
        SqlTypeKind.Numeric => 4,
        SqlTypeKind.Real => 5,
        SqlTypeKind.Double => 6,
        _ => 0,
    };

    private static int DateTimeRank(SqlTypeKind kind) => kind switch
    {
        SqlTypeKind.Date => 1,
        SqlTypeKind.Timestamp => 2,
        SqlTypeKind.TimestampTz => 3,
        _ => 0,
    };

    public static bool CanImplicitlyConvert(SqlType from, SqlType to) =>
        from == to
        || (from.Kind == to.Kind && to.Precision is null && from.Kind != SqlTypeKind.Array)
        || (from.IsDateTime && to.IsDateTime && DateTimeRank(from.Kind) <= DateTimeRank(to.Kind))
        || from.Kind == SqlTypeKind.Unknown
        || (from.IsNumeric && to.IsNumeric && NumericRank(from.Kind) <= NumericRank(to.Kind));

    /// <summary>
    /// PostgreSQL's assignment casts (INSERT, UPDATE): the implicit ones, numbers between any numeric types, and arrays
    /// (maps, structs) whose elements (values, fields) are assignable; a struct's fields match by name.
    /// </summary>
    public static bool CanAssign(SqlType from, SqlType to) =>
        CanImplicitlyConvert(from, to)
        || (from.IsNumeric && to.IsNumeric)
        || (from.Kind == SqlTypeKind.Array && to.Kind == SqlTypeKind.Array && CanAssign(from.Element!, to.Element!))
        || (from.Kind == SqlTypeKind.Map && to.Kind == SqlTypeKind.Map && CanAssign(from.Element!, to.Element!))
        || (from.Kind == SqlTypeKind.Struct && to.Kind == SqlTypeKind.Struct
            && from.Fields!.All(f => to.Fields!.IndexOf(f.Name) is var i && i >= 0 && CanAssign(f.Type, to.Fields[i].Type)));

    /// <summary>The type both operands convert to, or null when PostgreSQL would report "operator does not exist".</summary>
    public static SqlType? CommonType(SqlType left, SqlType right)
    {
        if (left == right)
        {
            return left.Kind == SqlTypeKind.Unknown ? SqlType.Varchar : left;
        }

        if (left.Kind == SqlTypeKind.Array || right.Kind == SqlTypeKind.Array)
        {
            return null;
        }

        if ((left.IsComposite || right.IsComposite) && left.Kind != SqlTypeKind.Unknown && right.Kind != SqlTypeKind.Unknown)
        {
            // Maps and structs meet only their own type (no implicit casts between different shapes).
            return null;
        }

        if (left.Kind == right.Kind)
        {
            // Differently constrained numerics meet as plain numeric.
            return left with { Precision = null, NumericScale = null };
        }

        if (left.Kind == SqlTypeKind.Unknown)
        {
            return right;
        }

        if (right.Kind == SqlTypeKind.Unknown)
        {
            return left;
        }

        if (left.IsNumeric && right.IsNumeric)
        {
            // Mixed types meet without type modifiers (numeric(12,2) and integer give plain numeric).
            var wider = NumericRank(left.Kind) >= NumericRank(right.Kind) ? left : right;
            return wider with { Precision = null, NumericScale = null };
        }

        if (left.IsDateTime && right.IsDateTime)
        {
            return DateTimeRank(left.Kind) >= DateTimeRank(right.Kind) ? left : right;
        }

        return null;
    }

    /// <summary>
    /// The type a binary operator works in. Like <see cref="CommonType"/>, except that real meets any other numeric type in
    /// double precision: PostgreSQL resolves real * int4 (or * numeric) to the float48/float84 operators, which return float8.
    /// </summary>
    public static SqlType? OperatorType(SqlType left, SqlType right) =>
        left.IsNumeric && right.IsNumeric && (left.Kind == SqlTypeKind.Real) != (right.Kind == SqlTypeKind.Real)
            ? SqlType.Double
            : CommonType(left, right);

    /// <summary>Folds one more branch into the type of a CASE/COALESCE/VALUES column: NULLs and untyped literals do not decide it.</summary>
    public static SqlType? Accumulate(SqlType current, SqlType next) =>
        next.Kind == SqlTypeKind.Unknown ? current
        : current.Kind == SqlTypeKind.Unknown ? next
        : CommonType(current, next);

    /// <summary>Converts expression to target: literals are converted at bind time, other expressions get a cast node.</summary>
    public static BoundExpression Convert(BoundExpression expression, SqlType target, int? position)
    {
        if (expression.Type == target)
        {
            return expression;
        }

        if (expression is BoundLiteral { Value: string text, Type.Kind: SqlTypeKind.Unknown or SqlTypeKind.Varchar } arrayText && target.Kind == SqlTypeKind.Array)
        {
            // '{1,2}' as an array: checked now (22P02 for a malformed literal), read by the run-time cast.
            ArrayLiteral.Validate(text, target.Element!, position);
            return new BoundCast(new BoundLiteral(text, SqlType.Varchar), target);
        }

        if (expression is BoundLiteral literal)
        {
            return new BoundLiteral(ConvertConstant(literal.Value, literal.Type, target, position), target);
        }

        return new BoundCast(expression, target);
    }

    public static object? ConvertConstant(object? value, SqlType from, SqlType target, int? position)
    {
        if (value is null)
        {
            return null;
        }

        if (value is ParameterSlot slot)
        {
            // Describing a statement: the context decides the parameter's type; there is no value yet.
            slot.Infer(target, position);
            return null;
        }

        if (value is object?[] items && from.Kind == SqlTypeKind.Array && target.Kind == SqlTypeKind.Array)
        {
            // An array constant (a bound parameter): each element converted.
            return from == target ? items : items.Select(item => ConvertConstant(item, from.Element!, target.Element!, position)).ToArray();
        }

        if (from.Kind == target.Kind && target.Precision is null && from.Kind != SqlTypeKind.Unknown)
        {
            return value;
        }

        if (value is string s && from.Kind is SqlTypeKind.Unknown or SqlTypeKind.Varchar)
        {
            return TextValues.Parse(s, target, position);
        }

        return (target.Kind, value) switch
        {
            (SqlTypeKind.SmallInt or SqlTypeKind.Real, _) => ConvertToSmallOrReal(value, target, position),
            (_, short sh) => ConvertConstant((int)sh, SqlType.Int, target, position),
            (SqlTypeKind.Double, float f) => (double)f,
            (SqlTypeKind.Int, float f) => RoundToInt((double)f, position),
            (SqlTypeKind.BigInt, float f) => RoundToLong((double)f, position),
            (SqlTypeKind.Numeric, float f) => NumericMath.ApplyTypmod(NumericMath.FromReal(f), target.Precision, target.NumericScale),
            (SqlTypeKind.BigInt, int i) => (long)i,
            (SqlTypeKind.Numeric, int i) => NumericMath.ApplyTypmod(i, target.Precision, target.NumericScale),
            (SqlTypeKind.Numeric, long l) => NumericMath.ApplyTypmod(l, target.Precision, target.NumericScale),
            (SqlTypeKind.Numeric, decimal m) => NumericMath.ApplyTypmod(m, target.Precision, target.NumericScale),
            (SqlTypeKind.Numeric, double d) => NumericMath.ApplyTypmod(NumericMath.FromDouble(d), target.Precision, target.NumericScale),
            (SqlTypeKind.Double, decimal m) => NumericMath.ToDouble(m),
            (SqlTypeKind.Int, decimal m) => RoundToInt(m, position),
            (SqlTypeKind.BigInt, decimal m) => RoundToLong(m, position),
            (SqlTypeKind.Double, int i) => (double)i,
            (SqlTypeKind.Double, long l) => (double)l,
            (SqlTypeKind.Int, long l) when l is >= int.MinValue and <= int.MaxValue => (int)l,
            (SqlTypeKind.Int, long) => throw new SqlException(SqlState.NumericValueOutOfRange, "integer out of range", position),
            (SqlTypeKind.Int, double d) => RoundToInt(d, position),
            (SqlTypeKind.BigInt, double d) => RoundToLong(d, position),
            (SqlTypeKind.Varchar, _) => FormatConstant(value, from),
            (SqlTypeKind.Boolean, bool b) => b,
            (SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz, long micros) when from.Kind is SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz => micros,
            (SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz, int days) when from.Kind == SqlTypeKind.Date => CalendarMath.DateToTimestamp(days),
            (SqlTypeKind.Date, long micros) when from.Kind is SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz => CalendarMath.TimestampToDate(micros),
            (SqlTypeKind.Interval, Interval iv) => iv,
            (SqlTypeKind.Time, long micros) when from.Kind is SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz => CalendarMath.TimeOfDay(micros),
            (SqlTypeKind.Time, long micros) when from.Kind == SqlTypeKind.Time => micros,
            (SqlTypeKind.Interval, long micros) when from.Kind == SqlTypeKind.Time => Interval.FromMicros(micros),
            _ => throw new SqlException(SqlState.CannotCoerce, $"cannot cast type {from.DisplayName} to {target.DisplayName}", position),
        };
    }

    private static object ConvertToSmallOrReal(object value, SqlType target, int? position)
    {
        if (target.Kind == SqlTypeKind.Real)
        {
            return value switch
            {
                short sh => (float)sh,
                int i => (float)i,
                long l => (float)l,
                decimal m => (float)NumericMath.ToDouble(m),
                double d => ToReal(d, position),
                float f => f,
                _ => throw new SqlException(SqlState.CannotCoerce, $"cannot cast type {(value is bool ? "boolean" : value.GetType().Name)} to real", position),
            };
        }

        var wide = value switch
        {
            short sh => sh,
            int i => i,
            long l => l,
            decimal m => (long)Math.Max(Math.Min(Math.Round(m, MidpointRounding.AwayFromZero), long.MaxValue), long.MinValue),
            double d => double.IsNaN(d) ? long.MaxValue : (long)Math.Max(Math.Min(Math.Round(d, MidpointRounding.ToEven), 1e18), -1e18),
            float f => float.IsNaN(f) ? long.MaxValue : (long)Math.Max(Math.Min(Math.Round((double)f, MidpointRounding.ToEven), 1e18), -1e18),
            _ => throw new SqlException(SqlState.CannotCoerce, $"cannot cast type {(value is bool ? "boolean" : value.GetType().Name)} to smallint", position),
        };
        return wide is < short.MinValue or > short.MaxValue
            ? throw new SqlException(SqlState.NumericValueOutOfRange, "smallint out of range", position)
            : (short)wide;
    }

    private static float ToReal(double d, int? position)
    {
        try
        {
            return TextValues.ToReal(d);
        }
        catch (SqlException e)
        {
            throw new SqlException(e.SqlState, e.Message, position);
        }
    }

    private static int RoundToInt(decimal m, int? position)
    {
        var r = Math.Round(m, MidpointRounding.AwayFromZero);
        return r is < int.MinValue or > int.MaxValue
            ? throw new SqlException(SqlState.NumericValueOutOfRange, "integer out of range", position)
            : (int)r;
    }

    private static long RoundToLong(decimal m, int? position)
    {
        var r = Math.Round(m, MidpointRounding.AwayFromZero);
        return r is < long.MinValue or > long.MaxValue
            ? throw new SqlException(SqlState.NumericValueOutOfRange, "bigint out of range", position)
            : (long)r;
    }

    private static int RoundToInt(double d, int? position)
    {
        var r = Math.Round(d, MidpointRounding.ToEven);
        return r is < int.MinValue or > int.MaxValue || double.IsNaN(r)
            ? throw new SqlException(SqlState.NumericValueOutOfRange, "integer out of range", position)
            : (int)r;
    }

    private static long RoundToLong(double d, int? position)
    {
        var r = Math.Round(d, MidpointRounding.ToEven);
        return r is < long.MinValue or >= 9.2233720368547758E18 || double.IsNaN(r)
            ? throw new SqlException(SqlState.NumericValueOutOfRange, "bigint out of range", position)
            : (long)r;
    }

    /// <summary>The text of a constant as a cast to text gives it (booleans read "true"/"false" there, unlike the wire's t/f).</summary>
    public static string FormatConstant(object value, SqlType type) => value switch
    {
        object?[] items when type.Kind == SqlTypeKind.Array => ArrayLiteral.Format(items.Select(item => item is null ? null : FormatConstant(item, type.Element!))),
        bool b => b ? "true" : "false",
        int d when type.Kind == SqlTypeKind.Date => CalendarMath.FormatDate(d),
        int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        short sh => sh.ToString(System.Globalization.CultureInfo.InvariantCulture),
        float f => TextValues.FormatReal(f),
        long l when type.Kind == SqlTypeKind.Timestamp => TextValues.FormatTimestamp(l),
        long l when type.Kind == SqlTypeKind.TimestampTz => TextValues.FormatTimestampTz(l),
        long l when type.Kind == SqlTypeKind.Time => TextValues.FormatTime(l),
        Interval iv => iv.ToString(),
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        double d => TextValues.FormatDouble(d),
        decimal m => m.ToString(System.Globalization.CultureInfo.InvariantCulture),
        string s => s,
        byte[] bytes => TextValues.FormatBytea(bytes),
        _ => value.ToString() ?? "",
    };

    /// <summary>Explicit CAST is allowed between any two of our scalar types except boolean/timestamp to numbers and back.</summary>
    public static bool CanCast(SqlType from, SqlType to) =>
        from == to
        || from.Kind is SqlTypeKind.Unknown or SqlTypeKind.Varchar
        || to.Kind == SqlTypeKind.Varchar
        || (from.IsNumeric && to.IsNumeric)
        || (from.Kind == SqlTypeKind.Int && to.Kind == SqlTypeKind.Boolean)
        || (from.Kind == SqlTypeKind.Boolean && to.Kind == SqlTypeKind.Int)
        || (from.IsDateTime && to.IsDateTime)
        || (from.Kind is SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz && to.Kind == SqlTypeKind.Time)
        || (from.Kind == SqlTypeKind.Time && to.Kind == SqlTypeKind.Interval)
        || (from.Kind == SqlTypeKind.Map && to.Kind == SqlTypeKind.Map && CanCast(from.Element!, to.Element!))
        || (from.Kind == SqlTypeKind.Struct && to.Kind == SqlTypeKind.Struct);
}
