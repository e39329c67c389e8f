namespace StreamSql.Parser.Ast;

/// <summary>An entry of FROM: a named relation, a subquery, a join or a table function.</summary>
public abstract record FromRelation(int Position) : AstNode(Position);
