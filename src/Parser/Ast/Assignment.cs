namespace StreamSql.Parser.Ast;

/// <summary>column = value in UPDATE ... SET.</summary>
public sealed record Assignment(int Position, string Column, Expression Value) : AstNode(Position);
