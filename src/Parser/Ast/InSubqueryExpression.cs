namespace StreamSql.Parser.Ast;

/// <summary>operand [NOT] IN (query).</summary>
public sealed record InSubqueryExpression(int Position, Expression Operand, Query Query, bool Negated) : Expression(Position);
