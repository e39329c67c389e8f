namespace StreamSql.Parser.Ast;

/// <summary>left op right.</summary>
public sealed record BinaryExpression(int Position, BinaryOperator Operator, Expression Left, Expression Right) : Expression(Position);
