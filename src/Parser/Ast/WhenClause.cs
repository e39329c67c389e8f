namespace StreamSql.Parser.Ast;

/// <summary>WHEN condition THEN result.</summary>
public sealed record WhenClause(int Position, Expression Condition, Expression Result) : AstNode(Position);
