using StreamSql.Parser.Errors;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Binder;

/// <summary>
/// The columns visible to an expression: one relation's row schema under its name or alias, or, for a join, the
/// relations side by side (Parts: each one's name, alias and place in the combined row).
/// </summary>
public sealed record BindScope(string RelationName, string? Alias, IReadOnlyList<ColumnSchema> Columns)
{
    public static readonly BindScope Empty = new("", null, []);

    public IReadOnlyList<(string Name, string? Alias, int Start, int Count)>? Parts { get; init; }

    /// <summary>Columns an unqualified name does not resolve to: the second copy of a JOIN ... USING column.</summary>
    public IReadOnlySet<int> Shadowed { get; init; } = EmptySet;

    /// <summary>What an unqualified * expands to, when not every column in order (JOIN ... USING lists its columns once, first).</summary>
    public IReadOnlyList<int>? StarOrder { get; init; }

    private static readonly IReadOnlySet<int> EmptySet = new HashSet<int>();

    /// <summary>The row indexes SELECT * (unqualified) reads, hidden columns included.</summary>
    public IReadOnlyList<int> StarColumns() => StarOrder ?? Enumerable.Range(0, Columns.Count).Where(i => !Shadowed.Contains(i)).ToList();

    /// <summary>The scope of a join: the left relations' columns, then the right ones'.</summary>
    public static BindScope Join(BindScope left, BindScope right, int position)
    {
        var parts = new List<(string Name, string? Alias, int Start, int Count)>(left.PartList());
        foreach (var part in right.PartList())
        {
            var name = part.Alias ?? part.Name;
            if (parts.Exists(p => (p.Alias ?? p.Name) == name))
            {
                throw new SqlException(SqlState.DuplicateAlias, $"table name \"{name}\" specified more than once", position);
            }

            parts.Add(part with { Start = part.Start + left.Columns.Count });
        }

        var offset = left.Columns.Count;
        return new BindScope("", null, [.. left.Columns, .. right.Columns])
        {
            Parts = parts,
            Shadowed = new HashSet<int>([.. left.Shadowed, .. right.Shadowed.Select(i => i + offset)]),
            StarOrder = left.StarOrder is null && right.StarOrder is null ? null : [.. left.StarColumns(), .. right.StarColumns().Select(i => i + offset)],
        };
    }

    private IReadOnlyList<(string Name, string? Alias, int Start, int Count)> PartList() => Parts ?? [(RelationName, Alias, 0, Columns.Count)];

    /// <summary>The columns a qualifier names (all of them without one): where they start in the row and how many.</summary>
    public (int Start, int Count) Range(string? qualifier, int position)
    {
        if (qualifier is null)
        {
            return (0, Columns.Count);
        }

        foreach (var part in PartList())
        {
            if (qualifier == (part.Alias ?? part.Name))
            {
                return (part.Start, part.Count);
            }
        }

        throw new SqlException(SqlState.UndefinedTable, $"missing FROM-clause entry for table \"{qualifier}\"", position);
    }

    public int Resolve(string? qualifier, string name, int position)
    {
        var (start, count) = Range(qualifier, position);
        var found = -1;
        for (var i = start; i < start + count; i++)
        {
            if (Columns[i].Name == name && (qualifier is not null || !Shadowed.Contains(i)))
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
