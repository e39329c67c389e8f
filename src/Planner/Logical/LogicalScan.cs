using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>Reads every partition of a stream's topic; rows are the declared columns plus pseudocolumns.</summary>
public sealed record LogicalScan(StreamDefinition Source) : LogicalPlan(Source.RowSchema)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [];
}
