namespace StreamSql.SqlLogicTest;

/// <summary>All result sets of one simple Query message, in order (empty queries produce none).</summary>
public sealed record PgQueryResult(IReadOnlyList<PgResultSet> ResultSets);
