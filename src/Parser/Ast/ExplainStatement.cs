namespace StreamSql.Parser.Ast;

/// <summary>EXPLAIN statement.</summary>
public sealed record ExplainStatement(int Position, Statement Statement) : Statement(Position);
