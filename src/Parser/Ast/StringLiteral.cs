namespace StreamSql.Parser.Ast;

/// <summary>A string literal, escapes already resolved.</summary>
public sealed record StringLiteral(int Position, string Value) : Expression(Position);
