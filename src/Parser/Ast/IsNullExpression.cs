namespace StreamSql.Parser.Ast;

/// <summary>operand IS [NOT] NULL.</summary>
public sealed record IsNullExpression(int Position, Expression Operand, bool Negated) : Expression(Position);
