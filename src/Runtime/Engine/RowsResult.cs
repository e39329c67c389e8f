using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Engine;

/// <summary>Rows streamed to the client as they are produced; Tag overrides the default "SELECT n" (SHOW uses "SHOW").</summary>
public sealed record RowsResult(IReadOnlyList<ColumnSchema> Columns, IAsyncEnumerable<Value[]> Rows, string? Tag = null) : StatementResult;
