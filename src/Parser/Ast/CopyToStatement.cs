namespace StreamSql.Parser.Ast;

/// <summary>COPY (query) TO STDOUT [WITH (FORMAT text | csv, HEADER)]: the query's rows as COPY data, streamed as they are produced.</summary>
public sealed record CopyToStatement(int Position, Query Query, bool Csv, bool Header) : Statement(Position);
