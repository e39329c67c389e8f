using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>NOT operand (three-valued).</summary>
public sealed record BoundNot(BoundExpression Operand) : BoundExpression(SqlType.Boolean);
