namespace StreamSql.Parser.Ast;

/// <summary>An expression in a SELECT list with its optional alias.</summary>
public sealed record SelectExpression(int Position, Expression Expression, string? Alias) : SelectItem(Position);
