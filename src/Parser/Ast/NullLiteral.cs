namespace StreamSql.Parser.Ast;

/// <summary>NULL.</summary>
public sealed record NullLiteral(int Position) : Expression(Position);
