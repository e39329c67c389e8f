namespace StreamSql.Parser.Ast;

/// <summary>One entry of a WITH (name = value) list; Value is the literal's text without quotes.</summary>
public sealed record Property(int Position, string Name, string Value) : AstNode(Position);
