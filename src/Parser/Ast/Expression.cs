namespace StreamSql.Parser.Ast;

/// <summary>A scalar expression in the PostgreSQL expression language.</summary>
public abstract record Expression(int Position) : AstNode(Position);
