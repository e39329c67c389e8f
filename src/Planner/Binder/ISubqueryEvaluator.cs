using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Binder;

/// <summary>Runs an uncorrelated subquery of a pull query once, at bind time; the runtime supplies it (the planner cannot run queries).</summary>
public interface ISubqueryEvaluator
{
    /// <summary>The subquery's columns and rows; values are bind-time constants as in BoundLiteral.</summary>
    (IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows) Evaluate(Query query);
}
