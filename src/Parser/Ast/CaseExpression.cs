namespace StreamSql.Parser.Ast;

/// <summary>CASE [operand] WHEN ... THEN ... [ELSE ...] END.</summary>
public sealed record CaseExpression(int Position, Expression? Operand, IReadOnlyList<WhenClause> Whens, Expression? Else) : Expression(Position);
