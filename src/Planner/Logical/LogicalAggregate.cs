using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>Groups input rows by key expressions and computes aggregates; output rows are the keys then the aggregates.</summary>
public sealed record LogicalAggregate(LogicalPlan Input, IReadOnlyList<BoundExpression> Keys, IReadOnlyList<BoundAggregate> Aggregates, IReadOnlyList<ColumnSchema> Columns)
    : LogicalPlan(Columns)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    /// <summary>Set when the group keys include a window (WINDOW clause or GROUP BY window_start, window_end of a window function).</summary>
    public AggregateWindow? Window { get; init; }
}
