using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>
/// PostgreSQL's date/time operators: timestamp ± interval, timestamp − timestamp, date ± integer, date − date,
/// date ± interval, interval ± interval, interval × number and interval ÷ number. Operands keep their own types;
/// the runtime picks the implementation from the operand types.
/// </summary>
internal static class DateTimeArithmetic
{
    public static BoundExpression? TryBind(BinaryOperator op, BoundExpression left, BoundExpression right, int position)
    {
        var l = left.Type;
        var r = right.Type;
        var temporal = l.IsDateTime || r.IsDateTime || l.Kind is SqlTypeKind.Interval or SqlTypeKind.Time || r.Kind is SqlTypeKind.Interval or SqlTypeKind.Time;
        if (!temporal || op is not (BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide))
        {
            return null;
        }

        // An untyped literal next to a date/time value is read as an interval ('1 hour'), or as an integer next to a date.
        if (r.Kind == SqlTypeKind.Unknown)
        {
            right = Coercion.Convert(right, PreferredPartner(l, op), position);
            r = right.Type;
        }
        else if (l.Kind == SqlTypeKind.Unknown)
        {
            left = Coercion.Convert(left, PreferredPartner(r, op), position);
            l = left.Type;
        }

        SqlType? result = (op, l.Kind, r.Kind) switch
        {
            (BinaryOperator.Add or BinaryOperator.Subtract, SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz, SqlTypeKind.Interval) => l,
            (BinaryOperator.Add, SqlTypeKind.Interval, SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz) => r,
            (BinaryOperator.Subtract, SqlTypeKind.Timestamp, SqlTypeKind.Timestamp) => SqlType.Interval,
            (BinaryOperator.Subtract, SqlTypeKind.TimestampTz, SqlTypeKind.TimestampTz) => SqlType.Interval,
            (BinaryOperator.Add or BinaryOperator.Subtract, SqlTypeKind.Date, SqlTypeKind.Int) => SqlType.Date,
            (BinaryOperator.Add, SqlTypeKind.Int, SqlTypeKind.Date) => SqlType.Date,
            (BinaryOperator.Subtract, SqlTypeKind.Date, SqlTypeKind.Date) => SqlType.Int,
            (BinaryOperator.Add or BinaryOperator.Subtract, SqlTypeKind.Date, SqlTypeKind.Interval) => SqlType.Timestamp,
            (BinaryOperator.Add, SqlTypeKind.Interval, SqlTypeKind.Date) => SqlType.Timestamp,
            (BinaryOperator.Add or BinaryOperator.Subtract, SqlTypeKind.Interval, SqlTypeKind.Interval) => SqlType.Interval,
            (BinaryOperator.Add or BinaryOperator.Subtract, SqlTypeKind.Time, SqlTypeKind.Interval) => SqlType.Time,
            (BinaryOperator.Add, SqlTypeKind.Interval, SqlTypeKind.Time) => SqlType.Time,
            (BinaryOperator.Subtract, SqlTypeKind.Time, SqlTypeKind.Time) => SqlType.Interval,
            (BinaryOperator.Add, SqlTypeKind.Date, SqlTypeKind.Time) or (BinaryOperator.Add, SqlTypeKind.Time, SqlTypeKind.Date) => SqlType.Timestamp,
            (BinaryOperator.Multiply or BinaryOperator.Divide, SqlTypeKind.Interval, _) when r.IsNumeric => SqlType.Interval,
            (BinaryOperator.Multiply, _, SqlTypeKind.Interval) when l.IsNumeric => SqlType.Interval,
            _ => null,
        };
        if (result is null)
        {
            // Mixed date/time operands (timestamp - date) meet at their common date/time type.
            if (op == BinaryOperator.Subtract && l.IsDateTime && r.IsDateTime && Coercion.CommonType(l, r) is { } common && common.Kind != SqlTypeKind.Date)
            {
                return new BoundBinary(op, Coercion.Convert(left, common, position), Coercion.Convert(right, common, position), SqlType.Interval);
            }

            throw ExpressionBinder.OperatorDoesNotExist(op.ToSql(), l, r, position);
        }

        // Numeric factors are applied as double precision, as PostgreSQL's interval_mul does.
        if (l.IsNumeric)
        {
            left = Coercion.Convert(left, SqlType.Double, position);
        }

        if (r.IsNumeric && l.Kind == SqlTypeKind.Interval)
        {
            right = Coercion.Convert(right, SqlType.Double, position);
        }

        return new BoundBinary(op, left, right, result);
    }

    private static SqlType PreferredPartner(SqlType known, BinaryOperator op) => known.Kind switch
    {
        SqlTypeKind.Date => op == BinaryOperator.Subtract ? SqlType.Date : SqlType.Int,
        SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz => op == BinaryOperator.Subtract ? known : SqlType.Interval,
        SqlTypeKind.Time => op == BinaryOperator.Subtract ? SqlType.Time : SqlType.Interval,
        SqlTypeKind.Interval => op is BinaryOperator.Multiply or BinaryOperator.Divide ? SqlType.Double : SqlType.Interval,
        _ => SqlType.Interval,
    };
}
