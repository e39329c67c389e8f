using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>operand IS [NOT] NULL.</summary>
public sealed record BoundIsNull(BoundExpression Operand, bool Negated) : BoundExpression(SqlType.Boolean);
