namespace StreamSql.Parser.Ast;

/// <summary>A column name, optionally qualified by a relation name or alias.</summary>
public sealed record ColumnReference(int Position, string? Qualifier, string Name) : Expression(Position);
