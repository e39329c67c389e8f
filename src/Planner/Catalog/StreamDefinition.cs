using StreamSql.Parser.Ast;

namespace StreamSql.Planner.Catalog;

/// <summary>A stream in the catalog: its declared columns, the topic it lives in and how records are encoded.</summary>
public sealed record StreamDefinition(
    string Name,
    RelationKind Kind,
    IReadOnlyList<ColumnSchema> Columns,
    string Topic,
    int Partitions,
    SourceFormat KeyFormat,
    SourceFormat ValueFormat,
    string? TimestampColumn,
    string ValueDelimiter,
    string? SourceQueryId)
{
    /// <summary>Declared columns followed by the pseudocolumns: the layout of a row read from the topic.</summary>
    public IReadOnlyList<ColumnSchema> RowSchema { get; } = [.. Columns, .. Pseudocolumns.All];

    public int KeyIndex { get; } = IndexOfKey(Columns);

    public int TimestampIndex { get; } = TimestampColumn is null ? -1 : IndexOf(Columns, TimestampColumn);

    private static int IndexOfKey(IReadOnlyList<ColumnSchema> columns)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].IsKey)
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOf(IReadOnlyList<ColumnSchema> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}
