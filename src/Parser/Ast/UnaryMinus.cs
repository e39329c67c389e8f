namespace StreamSql.Parser.Ast;

/// <summary>-operand.</summary>
public sealed record UnaryMinus(int Position, Expression Operand) : Expression(Position);
