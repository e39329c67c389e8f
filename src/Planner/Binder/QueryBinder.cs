using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>Binds a SELECT over one stream into Scan → Filter → Project → Limit.</summary>
public static class QueryBinder
{
    public static BoundQuery Bind(Query query, CatalogStore catalog, IParameterSource? parameters = null)
    {
        if (query.GroupBy.Count > 0 || query.Having is not null)
        {
            throw SqlException.NotSupported("GROUP BY", query.Position);
        }

        if (query.Distinct)
        {
            throw SqlException.NotSupported("SELECT DISTINCT on a stream", query.Position);
        }

        if (query.Emit == EmitMode.Final)
        {
            throw SqlException.NotSupported("EMIT FINAL without a window", query.Position);
        }

        var source = catalog.GetStream(query.From.Name.Name, query.From.Name.Position);
        var scope = new BindScope(source.Name, query.From.Alias, source.RowSchema);
        var binder = new ExpressionBinder(scope, parameters);
        LogicalPlan plan = new LogicalScan(source);

        if (query.Where is not null)
        {
            plan = new LogicalFilter(plan, binder.BindCondition(query.Where, "WHERE"));
        }

        var expressions = new List<BoundExpression>();
        var columns = new List<ColumnSchema>();
        foreach (var item in query.Items)
        {
            switch (item)
            {
                case AllColumns all:
                    if (all.Qualifier is not null && all.Qualifier != (query.From.Alias ?? source.Name))
                    {
                        throw new SqlException(SqlState.UndefinedTable, $"missing FROM-clause entry for table \"{all.Qualifier}\"", all.Position);
                    }

                    for (var i = 0; i < source.RowSchema.Count; i++)
                    {
                        var column = source.RowSchema[i];
                        if (!column.Hidden)
                        {
                            expressions.Add(new BoundColumn(i, column.Name, column.Type));
                            columns.Add(column with { IsKey = false });
                        }
                    }

                    break;
                case SelectExpression e:
                    var bound = ExpressionBinder.Resolve(binder.Bind(e.Expression), e.Position);
                    expressions.Add(bound);
                    columns.Add(new ColumnSchema(e.Alias ?? OutputName(e.Expression), bound.Type));
                    break;
            }
        }

        plan = new LogicalProject(plan, expressions, columns);
        if (query.Limit is { } limit)
        {
            plan = new LogicalLimit(plan, limit);
        }

        return new BoundQuery(plan, source, query.Emit);
    }

    /// <summary>The column name PostgreSQL gives an unaliased expression (FigureColname).</summary>
    public static string OutputName(Expression expression) => expression switch
    {
        ColumnReference c => c.Name,
        FunctionCall f => f.Name,
        CastExpression c => c.Operand is ColumnReference or FunctionCall or CastExpression ? OutputName(c.Operand) : TypeResolver.TryResolve(c.Type.Name) is { } t ? PgTypeName(t) : c.Type.Name,
        TypedLiteral t => TypeResolver.TryResolve(t.Type.Name) is { } type ? PgTypeName(type) : t.Type.Name,
        CaseExpression => "case",
        BooleanLiteral => "bool",
        _ => "?column?",
    };

    private static string PgTypeName(SqlType type) => type.Kind switch
    {
        SqlTypeKind.Boolean => "bool",
        SqlTypeKind.Int => "int4",
        SqlTypeKind.BigInt => "int8",
        SqlTypeKind.Double => "float8",
        SqlTypeKind.Varchar => "varchar",
        SqlTypeKind.Timestamp => "timestamp",
        _ => "?column?",
    };
}
