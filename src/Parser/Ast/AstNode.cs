namespace StreamSql.Parser.Ast;

/// <summary>Base of every syntax node; Position is the 0-based character offset of the node in the statement text.</summary>
public abstract record AstNode(int Position);
