namespace StreamSql.Parser.Ast;

/// <summary>A stream, table or view named in FROM, with its optional alias and column aliases.</summary>
public sealed record TableRelation(int Position, QualifiedName Name, string? Alias, IReadOnlyList<string>? ColumnAliases) : FromRelation(Position);
