namespace StreamSql.Planner.Logical;

/// <summary>Drops duplicate rows (SELECT DISTINCT, UNION without ALL).</summary>
public sealed record LogicalDistinct(LogicalPlan Input) : LogicalPlan(Input.Schema)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
}
