namespace StreamSql.Planner.Logical;

/// <summary>Orders a finite input (pull queries) by its keys.</summary>
public sealed record LogicalSort(LogicalPlan Input, IReadOnlyList<SortKey> Keys) : LogicalPlan(Input.Schema)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
}
