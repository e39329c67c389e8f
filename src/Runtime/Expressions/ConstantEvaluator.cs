using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Rules;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>Folds constant expressions for the optimizer with the same compiled code that runs per row, so both agree exactly.</summary>
public sealed class ConstantEvaluator : IConstantEvaluator
{
    public static readonly ConstantEvaluator Instance = new();

    public bool TryEvaluate(BoundExpression expression, out BoundLiteral result)
    {
        try
        {
            var value = ExpressionCompiler.Compile(expression)([]);
            result = new BoundLiteral(ToConstant(value), expression.Type);
            return true;
        }
        catch (SqlException)
        {
            // Errors (division by zero, overflow) stay in the plan and are raised when the expression runs.
            result = null!;
            return false;
        }
    }

    public static object? ToConstant(Value value) => value.Kind switch
    {
        ValueKind.Null => null,
        ValueKind.Boolean => value.AsBoolean,
        ValueKind.Int => value.AsInt,
        ValueKind.SmallInt => (short)value.AsLong,
        ValueKind.Real => value.AsReal,
        ValueKind.BigInt or ValueKind.Timestamp or ValueKind.TimestampTz or ValueKind.Time => value.AsLong,
        ValueKind.Date => (int)value.AsLong,
        ValueKind.Interval => value.AsInterval,
        ValueKind.Double => value.AsDouble,
        ValueKind.Numeric => value.AsNumeric,
        ValueKind.Bytes => value.AsBytes,
        ValueKind.Array => value.AsArray,
        ValueKind.Map => value.AsMap,
        ValueKind.Struct => value.AsStruct,
        _ => value.AsString,
    };
}
