using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>One aggregate call of a GROUP BY query: function, arguments over the input row, DISTINCT, and its result type.</summary>
public sealed record BoundAggregate(string Name, IReadOnlyList<BoundExpression> Arguments, bool Distinct, bool Star, SqlType Type);
