namespace StreamSql.Parser.Ast;

/// <summary>CAST(operand AS type) or operand::type.</summary>
public sealed record CastExpression(int Position, Expression Operand, TypeName Type) : Expression(Position);
