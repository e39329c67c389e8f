namespace StreamSql.Parser.Ast;

/// <summary>CREATE [MATERIALIZED] VIEW name AS SELECT.</summary>
public sealed record CreateViewStatement(int Position, bool Materialized, QualifiedName Name, bool IfNotExists, IReadOnlyList<Property> Properties, Query Query) : Statement(Position);
