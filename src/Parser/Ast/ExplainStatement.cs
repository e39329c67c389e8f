namespace StreamSql.Parser.Ast;

/// <summary>EXPLAIN query.</summary>
public sealed record ExplainStatement(int Position, Query Query) : Statement(Position);
