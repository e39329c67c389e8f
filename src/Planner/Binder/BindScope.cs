using StreamSql.Parser.Errors;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Binder;

/// <summary>The columns visible to an expression: one relation's row schema under its name or alias.</summary>
public sealed record BindScope(string RelationName, string? Alias, IReadOnlyList<ColumnSchema> Columns)
{
    public static readonly BindScope Empty = new("", null, []);

    public int Resolve(string? qualifier, string name, int position)
    {
        if (qualifier is not null && qualifier != (Alias ?? RelationName))
        {
            throw new SqlException(SqlState.UndefinedTable, $"missing FROM-clause entry for table \"{qualifier}\"", position);
        }

        var found = -1;
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == name)
            {
                if (found >= 0)
                {
                    throw new SqlException(SqlState.AmbiguousColumn, $"column reference \"{name}\" is ambiguous", position);
                }

                found = i;
            }
        }

        if (found >= 0)
        {
            return found;
        }

        var shown = qualifier is null ? name : qualifier + "." + name;
        throw new SqlException(SqlState.UndefinedColumn, $"column \"{shown}\" does not exist", position);
    }
}
