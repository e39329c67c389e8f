namespace StreamSql.Parser.Ast;

/// <summary>(query) [AS] alias [(columns)] in FROM.</summary>
public sealed record SubqueryRelation(int Position, Query Query, string? Alias, IReadOnlyList<string>? ColumnAliases) : FromRelation(Position);
