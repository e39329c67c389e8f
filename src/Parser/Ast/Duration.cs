namespace StreamSql.Parser.Ast;

/// <summary>A length of time written as number and unit (10 SECONDS).</summary>
public sealed record Duration(int Position, TimeSpan Value) : AstNode(Position);
