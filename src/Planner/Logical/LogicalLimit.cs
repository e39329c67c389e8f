using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>Passes the first Count rows, then completes.</summary>
public sealed record LogicalLimit(LogicalPlan Input, long Count) : LogicalPlan(Input.Schema)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
}
