namespace StreamSql.Parser.Ast;

/// <summary>EXISTS (query).</summary>
public sealed record ExistsExpression(int Position, Query Query) : Expression(Position);
