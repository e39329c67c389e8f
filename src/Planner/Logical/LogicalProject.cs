using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>Computes the output columns from each input row.</summary>
public sealed record LogicalProject(LogicalPlan Input, IReadOnlyList<BoundExpression> Expressions, IReadOnlyList<ColumnSchema> Columns) : LogicalPlan(Columns)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
}
