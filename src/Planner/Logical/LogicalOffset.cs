namespace StreamSql.Planner.Logical;

/// <summary>Skips the first Count rows (OFFSET).</summary>
public sealed record LogicalOffset(LogicalPlan Input, long Count) : LogicalPlan(Input.Schema)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
}
