using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Binder;

/// <summary>
/// Binds UPDATE and DELETE on a table as pull queries over its current rows: UPDATE yields the old key then the new
/// row (every column, coerced to its type), DELETE yields the keys to delete.
/// </summary>
public static class TableWriteBinder
{
    public static (StreamDefinition Table, LogicalPlan Plan) BindUpdate(UpdateStatement update, CatalogStore catalog, ISubqueryEvaluator? subqueries, IParameterSource? parameters)
    {
        var table = WritableTable(catalog, update.Target, "update");
        var assigned = new Dictionary<string, Assignment>(StringComparer.Ordinal);
        foreach (var assignment in update.Assignments)
        {
            if (!table.Columns.Any(c => c.Name == assignment.Column))
            {
                throw new SqlException(SqlState.UndefinedColumn, $"column \"{assignment.Column}\" of relation \"{table.Name}\" does not exist", assignment.Position);
            }

            if (!assigned.TryAdd(assignment.Column, assignment))
            {
                throw new SqlException(SqlState.SyntaxError, $"multiple assignments to same column \"{assignment.Column}\"", assignment.Position);
            }
        }

        var qualifier = update.Alias ?? table.Name;
        var items = new List<SelectItem> { new SelectExpression(update.Position, new ColumnReference(update.Position, qualifier, table.Columns[table.KeyIndex].Name), "#oldkey") };
        foreach (var column in table.Columns)
        {
            items.Add(new SelectExpression(update.Position,
                assigned.TryGetValue(column.Name, out var a) ? a.Value : new ColumnReference(update.Position, qualifier, column.Name), column.Name));
        }

        var plan = BindPull(items, update.Target, update.Alias, update.Where, catalog, subqueries, parameters);
        var expressions = new List<BoundExpression> { new BoundColumn(0, "#oldkey", plan.Schema[0].Type) };
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            var type = plan.Schema[i + 1].Type;
            var position = assigned.TryGetValue(column.Name, out var a) ? a.Value.Position : update.Position;
            if (!Coercion.CanAssign(type, column.Type))
            {
                throw new SqlException(SqlState.DatatypeMismatch, $"column \"{column.Name}\" is of type {column.Type.DisplayName} but expression is of type {type.DisplayName}",
                    position, hint: "You will need to rewrite or cast the expression.");
            }

            expressions.Add(Coercion.Convert(new BoundColumn(i + 1, column.Name, type), column.Type, position));
        }

        return (table, new LogicalProject(plan, expressions, [plan.Schema[0], .. table.Columns]));
    }

    public static (StreamDefinition Table, LogicalPlan Plan) BindDelete(DeleteStatement delete, CatalogStore catalog, ISubqueryEvaluator? subqueries, IParameterSource? parameters)
    {
        var table = WritableTable(catalog, delete.Target, "delete from");
        var qualifier = delete.Alias ?? table.Name;
        var items = new List<SelectItem> { new SelectExpression(delete.Position, new ColumnReference(delete.Position, qualifier, table.Columns[table.KeyIndex].Name), "#key") };
        return (table, BindPull(items, delete.Target, delete.Alias, delete.Where, catalog, subqueries, parameters));
    }

    private static StreamDefinition WritableTable(CatalogStore catalog, QualifiedName name, string verb)
    {
        var table = catalog.GetStream(name.Name, name.Position);
        if (table.Kind != RelationKind.Table)
        {
            throw new SqlException(SqlState.WrongObjectType, $"cannot {verb} {(table.Kind == RelationKind.Stream ? "stream" : "relation")} \"{table.Name}\"", name.Position,
                hint: table.Kind == RelationKind.Stream ? "A stream is append-only: its records cannot be changed." : null);
        }

        if (table.SourceQueryId is not null)
        {
            throw new SqlException(SqlState.ObjectInUse, $"cannot {verb} table \"{table.Name}\": it is written by query {table.SourceQueryId}", name.Position);
        }

        return table;
    }

    private static LogicalPlan BindPull(List<SelectItem> items, QualifiedName target, string? alias, Expression? where, CatalogStore catalog,
        ISubqueryEvaluator? subqueries, IParameterSource? parameters)
    {
        var spec = new QuerySpecification(target.Position, false, items, [new TableRelation(target.Position, target, alias, null)], null, where, [], null, []);
        var query = new Query(target.Position, [], spec, [], EmitMode.None, null, null);
        return QueryBinder.Bind(query, catalog, subqueries, parameters).Plan;
    }
}
