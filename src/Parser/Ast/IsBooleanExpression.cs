namespace StreamSql.Parser.Ast;

/// <summary>operand IS [NOT] TRUE/FALSE.</summary>
public sealed record IsBooleanExpression(int Position, Expression Operand, bool Value, bool Negated) : Expression(Position);
