using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Runtime.Engine;

/// <summary>What a statement takes and returns, known before it runs: the type of each $n (null where nothing decided it) and the result columns (null when it returns no rows).</summary>
public sealed record StatementDescription(IReadOnlyList<SqlType?> ParameterTypes, IReadOnlyList<ColumnSchema>? Columns);
