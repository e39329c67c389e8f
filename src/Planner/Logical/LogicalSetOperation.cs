using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>UNION / INTERSECT / EXCEPT [ALL] of two inputs with the same column types; names come from the left input.</summary>
public sealed record LogicalSetOperation(LogicalPlan Left, LogicalPlan Right, SetOperator Operator, bool All, IReadOnlyList<ColumnSchema> Columns) : LogicalPlan(Columns)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];
}
