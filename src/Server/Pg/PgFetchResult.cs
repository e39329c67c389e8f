using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Pg;

/// <summary>A FETCH result: rows taken from a cursor, completed with "FETCH n" rather than "SELECT n".</summary>
internal sealed record PgFetchResult(RowsResult Rows) : StatementResult;
