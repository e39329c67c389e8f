namespace StreamSql.Parser.Ast;

/// <summary>operand [NOT] IN (values).</summary>
public sealed record InListExpression(int Position, Expression Operand, IReadOnlyList<Expression> Values, bool Negated) : Expression(Position);
