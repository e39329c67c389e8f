namespace StreamSql.Parser.Ast;

/// <summary>An ORDER BY entry; NullsFirst null means the PostgreSQL default (NULLS LAST ascending, FIRST descending).</summary>
public sealed record SortItem(int Position, Expression Expression, bool Descending, bool? NullsFirst) : AstNode(Position);
