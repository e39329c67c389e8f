using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>A node of the logical plan; Schema is the layout of the rows it produces, fixed when the node is made.</summary>
public abstract record LogicalPlan(IReadOnlyList<ColumnSchema> Schema)
{
    public abstract IReadOnlyList<LogicalPlan> Inputs { get; }
}
