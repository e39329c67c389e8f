namespace StreamSql.Parser.Ast;

/// <summary>operand [NOT] BETWEEN lower AND upper.</summary>
public sealed record BetweenExpression(int Position, Expression Operand, Expression Lower, Expression Upper, bool Negated) : Expression(Position);
