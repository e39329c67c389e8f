using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>A call of a scalar function from the function registry.</summary>
public sealed record BoundFunctionCall(string Name, IReadOnlyList<BoundExpression> Arguments, SqlType Type) : BoundExpression(Type);
