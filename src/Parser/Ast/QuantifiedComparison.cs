namespace StreamSql.Parser.Ast;

/// <summary>left op ANY (array) (SOME is the same): true when the comparison holds for some element of the array.</summary>
public sealed record QuantifiedComparison(int Position, BinaryOperator Operator, Expression Left, Expression Array) : Expression(Position);
