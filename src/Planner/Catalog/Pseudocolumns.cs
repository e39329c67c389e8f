using StreamSql.Planner.Types;

namespace StreamSql.Planner.Catalog;

/// <summary>Columns every source row carries besides its declared ones, appended after them in this order.</summary>
public static class Pseudocolumns
{
    public const string RowTime = "rowtime";
    public const string RowPartition = "rowpartition";
    public const string RowOffset = "rowoffset";

    public static readonly IReadOnlyList<ColumnSchema> All =
    [
        new(RowTime, SqlType.Timestamp, Hidden: true),
        new(RowPartition, SqlType.Int, Hidden: true),
        new(RowOffset, SqlType.BigInt, Hidden: true),
    ];
}
