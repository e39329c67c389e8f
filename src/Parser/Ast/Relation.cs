namespace StreamSql.Parser.Ast;

/// <summary>A named relation in FROM with its optional alias.</summary>
public sealed record Relation(int Position, QualifiedName Name, string? Alias) : AstNode(Position);
