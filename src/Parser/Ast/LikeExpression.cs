namespace StreamSql.Parser.Ast;

/// <summary>operand [NOT] LIKE/ILIKE pattern [ESCAPE e].</summary>
public sealed record LikeExpression(int Position, Expression Operand, Expression Pattern, Expression? Escape, bool CaseInsensitive, bool Negated) : Expression(Position);
