namespace StreamSql.Parser.Ast;

/// <summary>DELETE FROM table [WHERE ...].</summary>
public sealed record DeleteStatement(int Position, QualifiedName Target, string? Alias, Expression? Where) : Statement(Position);
