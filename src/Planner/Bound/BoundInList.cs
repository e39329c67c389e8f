using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>operand [NOT] IN (values), all of the operand's type.</summary>
public sealed record BoundInList(BoundExpression Operand, IReadOnlyList<BoundExpression> Values, bool Negated) : BoundExpression(SqlType.Boolean);
