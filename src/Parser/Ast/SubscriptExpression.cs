namespace StreamSql.Parser.Ast;

/// <summary>operand[index] (1-based, as in PostgreSQL).</summary>
public sealed record SubscriptExpression(int Position, Expression Operand, Expression Index) : Expression(Position);
