using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>CAST(operand AS Type).</summary>
public sealed record BoundCast(BoundExpression Operand, SqlType Type) : BoundExpression(Type);
