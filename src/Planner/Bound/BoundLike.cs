using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>operand [NOT] LIKE/ILIKE pattern; Escape is the escape character or null for the default backslash.</summary>
public sealed record BoundLike(BoundExpression Operand, BoundExpression Pattern, BoundExpression? Escape, bool CaseInsensitive, bool Negated) : BoundExpression(SqlType.Boolean);
