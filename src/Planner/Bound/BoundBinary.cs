using StreamSql.Parser.Ast;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>left op right, with both operands of the same type (comparisons, arithmetic) or boolean (AND/OR).</summary>
public sealed record BoundBinary(BinaryOperator Operator, BoundExpression Left, BoundExpression Right, SqlType Type) : BoundExpression(Type);
