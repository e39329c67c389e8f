using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Binder;

/// <summary>Binds INSERT ... VALUES: every row becomes one expression per stream column (NULL where not listed), coerced to the column type.</summary>
public static class InsertBinder
{
    public static IReadOnlyList<IReadOnlyList<BoundExpression>> Bind(InsertValuesStatement insert, StreamDefinition stream, IParameterSource? parameters = null)
    {
        var targets = new List<int>();
        if (insert.Columns is null)
        {
            for (var i = 0; i < stream.Columns.Count; i++)
            {
                targets.Add(i);
            }
        }
        else
        {
            foreach (var name in insert.Columns)
            {
                var index = -1;
                for (var i = 0; i < stream.Columns.Count; i++)
                {
                    if (stream.Columns[i].Name == name)
                    {
                        index = i;
                    }
                }

                if (index < 0)
                {
                    throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" of relation \"{stream.Name}\" does not exist", insert.Position);
                }

                if (targets.Contains(index))
                {
                    throw new SqlException(SqlState.DuplicateColumn, $"column \"{name}\" specified more than once", insert.Position);
                }

                targets.Add(index);
            }
        }

        var binder = new ExpressionBinder(BindScope.Empty, parameters: parameters);
        var rows = new List<IReadOnlyList<BoundExpression>>();
        foreach (var row in insert.Rows)
        {
            if (row.Count > targets.Count)
            {
                throw new SqlException(SqlState.SyntaxError, "INSERT has more expressions than target columns", row[targets.Count].Position);
            }

            if (row.Count < targets.Count)
            {
                throw new SqlException(SqlState.SyntaxError, "INSERT has more target columns than expressions", row.Count > 0 ? row[^1].Position : insert.Position);
            }

            var values = new BoundExpression[stream.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = new BoundLiteral(null, stream.Columns[i].Type);
            }

            for (var i = 0; i < row.Count; i++)
            {
                var column = stream.Columns[targets[i]];
                var bound = binder.Bind(row[i]);
                if (!Coercion.CanAssign(bound.Type, column.Type))
                {
                    throw new SqlException(SqlState.DatatypeMismatch,
                        $"column \"{column.Name}\" is of type {column.Type.DisplayName} but expression is of type {bound.Type.DisplayName}", row[i].Position,
                        hint: "You will need to rewrite or cast the expression.");
                }

                values[targets[i]] = Coercion.Convert(bound, column.Type, row[i].Position);
            }

            rows.Add(values);
        }

        return rows;
    }
}
