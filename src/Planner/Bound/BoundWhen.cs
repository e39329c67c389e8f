using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>One WHEN condition THEN result arm of a CASE.</summary>
public sealed record BoundWhen(BoundExpression Condition, BoundExpression Result);
