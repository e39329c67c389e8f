namespace StreamSql.Parser.Ast;

/// <summary>A literal with a decimal point or exponent.</summary>
public sealed record DecimalLiteral(int Position, string Text) : Expression(Position);
