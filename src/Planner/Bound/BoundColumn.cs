using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>The value of input column Index.</summary>
public sealed record BoundColumn(int Index, string Name, SqlType Type) : BoundExpression(Type);
