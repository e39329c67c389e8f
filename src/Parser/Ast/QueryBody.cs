namespace StreamSql.Parser.Ast;

/// <summary>What a query computes before ORDER BY/LIMIT: a SELECT, a set operation, VALUES, or a parenthesized query.</summary>
public abstract record QueryBody(int Position) : AstNode(Position);
