using StreamSql.Planner.Bound;

namespace StreamSql.Planner.Logical;

/// <summary>One ORDER BY key over the sorted node's input; NULLs sort last ascending and first descending unless NullsFirst says otherwise.</summary>
public sealed record SortKey(BoundExpression Expression, bool Descending, bool NullsFirst);
