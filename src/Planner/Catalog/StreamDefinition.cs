using StreamSql.Parser.Ast;

namespace StreamSql.Planner.Catalog;

/// <summary>
/// A stream in the catalog: its declared columns, the topic it lives in and how records are encoded.
/// Changing Columns or TimestampColumn needs the constructor: `with` would keep the derived KeyIndex, TimestampIndex and RowSchema.
/// </summary>
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

    /// <summary>
    /// A table's primary key columns. One column is the record key (KeyIndex); a key of several columns (a windowed or
    /// multi-column GROUP BY) is written as a JSON array in the record key, and every column stays in the value.
    /// </summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>
    /// WATERMARK FOR col AS col - INTERVAL d: the watermark trails the largest event time by d, so windows over this source
    /// accept records up to d late unless a GRACE PERIOD says otherwise. Null without a WATERMARK clause.
    /// </summary>
    public long? WatermarkDelayMicros { get; init; }

    /// <summary>
    /// A windowed table with a RETENTION: the column holding each row's window end, and how long a row stays after a
    /// window ending that much later has appeared in its partition. Null for every other relation.
    /// </summary>
    public (int EndColumn, long RetentionMicros)? WindowRetention { get; init; }

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
