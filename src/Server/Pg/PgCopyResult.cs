using StreamSql.Parser.Ast;
using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Pg;

/// <summary>A COPY (query) TO STDOUT result: the query's rows, sent as CopyData lines rather than DataRows.</summary>
internal sealed record PgCopyResult(RowsResult Rows, CopyToStatement Copy) : StatementResult;
