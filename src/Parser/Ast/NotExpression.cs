namespace StreamSql.Parser.Ast;

/// <summary>NOT operand.</summary>
public sealed record NotExpression(int Position, Expression Operand) : Expression(Position);
