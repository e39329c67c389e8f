namespace StreamSql.Parser.Ast;

/// <summary>One entry in a SELECT list.</summary>
public abstract record SelectItem(int Position) : AstNode(Position);
