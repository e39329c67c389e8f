using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>A fixed set of rows: VALUES (...), or the single empty row of a SELECT without FROM.</summary>
public sealed record LogicalValues(IReadOnlyList<IReadOnlyList<BoundExpression>> Rows, IReadOnlyList<ColumnSchema> Columns) : LogicalPlan(Columns)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [];
}
