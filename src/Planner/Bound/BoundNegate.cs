using StreamSql.Planner.Types;

namespace StreamSql.Planner.Bound;

/// <summary>-operand.</summary>
public sealed record BoundNegate(BoundExpression Operand) : BoundExpression(Operand.Type);
