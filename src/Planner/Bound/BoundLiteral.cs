using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>A constant; Value is null, bool, int, long, double or string; a timestamp is a long of microseconds since the Unix epoch.</summary>
public sealed record BoundLiteral(object? Value, SqlType Type) : BoundExpression(Type);
