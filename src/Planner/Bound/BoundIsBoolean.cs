using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>operand IS [NOT] TRUE/FALSE: never NULL.</summary>
public sealed record BoundIsBoolean(BoundExpression Operand, bool Value, bool Negated) : BoundExpression(SqlType.Boolean);
