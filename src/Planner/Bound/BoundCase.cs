using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>Searched CASE (a simple CASE is rewritten to comparisons by the binder).</summary>
public sealed record BoundCase(IReadOnlyList<BoundWhen> Whens, BoundExpression? Else, SqlType Type) : BoundExpression(Type);
