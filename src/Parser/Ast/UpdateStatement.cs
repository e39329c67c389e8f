namespace StreamSql.Parser.Ast;

/// <summary>UPDATE table SET ... [WHERE ...].</summary>
public sealed record UpdateStatement(int Position, QualifiedName Target, string? Alias, IReadOnlyList<Assignment> Assignments, Expression? Where) : Statement(Position);
