namespace StreamSql.Parser.Ast;

/// <summary>An integer literal; Text keeps digits that do not fit a long (PostgreSQL makes those numeric).</summary>
public sealed record IntegerLiteral(int Position, string Text) : Expression(Position);
