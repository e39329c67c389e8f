namespace StreamSql.Parser.Ast;

/// <summary>A parenthesized query used as a query body.</summary>
public sealed record NestedQuery(int Position, Query Query) : QueryBody(Position);
