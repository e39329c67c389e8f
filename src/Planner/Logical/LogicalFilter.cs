using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>Keeps the rows for which Predicate is true.</summary>
public sealed record LogicalFilter(LogicalPlan Input, BoundExpression Predicate) : LogicalPlan(Input.Schema)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
}
