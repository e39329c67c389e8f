using StreamSql.Parser.Ast;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Runtime.Engine;

/// <summary>Describing a statement without running it (the extended protocol's Parse and Describe): parameter types and result columns.</summary>
public sealed partial class StreamEngine
{
    private static readonly IReadOnlyList<ColumnSchema> QueryPlanColumns = [new ColumnSchema("QUERY PLAN", SqlType.Varchar)];

    /// <summary>Binds the statement with the declared parameter types (null = infer from the context) and reports what it takes and returns.</summary>
    public StatementDescription Describe(Statement statement, SessionContext session, IReadOnlyList<SqlType?> declaredParameterTypes)
    {
        var parameters = new ParameterTypes(declaredParameterTypes);
        IReadOnlyList<ColumnSchema>? columns;
        switch (statement)
        {
            case SelectStatement select:
                var bound = BindForDescribe(select.Query, parameters);
                columns = select.Query.Emit != EmitMode.None ? PushColumns(bound) : bound.Columns;
                break;
            case CopyToStatement copy:
                // COPY sends no RowDescription: its rows are CopyData.
                BindForDescribe(copy.Query, parameters);
                columns = null;
                break;
            case InsertValuesStatement insert:
                InsertBinder.Bind(insert, Catalog.GetStream(insert.Target.Name, insert.Target.Position), parameters);
                columns = null;
                break;
            case ExplainStatement explain:
                BindForDescribe(ExplainedQuery(explain), parameters);
                columns = QueryPlanColumns;
                break;
            case ExplainAnalyzeQueryStatement:
                columns = QueryPlanColumns;
                break;
            case PrintStatement:
                columns = PrintColumns;
                break;
            case DescribeFunctionStatement describeFunction:
                columns = DescribeFunction(describeFunction).Columns;
                break;
            case ShowObjectsStatement show:
                columns = Show(show).Columns;
                break;
            case ShowSettingStatement show:
                columns = ShowSetting(show, session).Columns;
                break;
            case DescribeStatement describe:
                columns = Describe(describe).Columns;
                break;
            default:
                columns = null;
                break;
        }

        return new StatementDescription(parameters.Resolved(), columns);
    }

    /// <summary>
    /// Binds without optimizing or running anything: the optimizer keeps the schema (and must not fold parameters whose type is
    /// still open), and subqueries are only bound, for their column types, with no rows.
    /// </summary>
    private BoundQuery BindForDescribe(Query query, IParameterSource parameters) =>
        QueryBinder.Bind(query, Catalog, query.Emit == EmitMode.None ? new DescribingSubqueries(this, parameters) : null, parameters);

    /// <summary>Subqueries while describing: their columns, and no rows, so a Parse never runs a query.</summary>
    private sealed class DescribingSubqueries(StreamEngine engine, IParameterSource parameters) : ISubqueryEvaluator
    {
        public (IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows) Evaluate(Query query) =>
            (QueryBinder.Bind(query, engine.Catalog, this, parameters).Columns, []);
    }
}
