using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Binder;

/// <summary>A bound SELECT: its plan, the stream it reads (null for VALUES or no FROM) and whether it is a push (EMIT CHANGES) or a pull query.</summary>
public sealed record BoundQuery(LogicalPlan Plan, StreamDefinition? Source, EmitMode Emit)
{
    public IReadOnlyList<ColumnSchema> Columns => Plan.Schema;
}
