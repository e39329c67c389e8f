namespace StreamSql.Parser.Ast;

/// <summary>TRUE or FALSE.</summary>
public sealed record BooleanLiteral(int Position, bool Value) : Expression(Position);
