using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>
/// INNER, LEFT or CROSS join of two finite inputs (pull queries only; streaming joins are not built yet): rows are the left
/// columns then the right ones; Condition (null for CROSS) is bound over that combined row.
/// </summary>
public sealed record LogicalJoin(LogicalPlan Left, LogicalPlan Right, JoinKind Kind, BoundExpression? Condition, IReadOnlyList<ColumnSchema> Columns) : LogicalPlan(Columns)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];
}
