using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>Reads every partition of a stream's topic; rows are the declared columns plus pseudocolumns.</summary>
public sealed record LogicalScan(StreamDefinition Source) : LogicalPlan(Source.RowSchema)
{
    /// <summary>Row indexes the plan reads, when known; the decoder may leave the others NULL. Null means all.</summary>
    public IReadOnlyList<int>? ReadColumns { get; init; }

    public override IReadOnlyList<LogicalPlan> Inputs => [];
}
