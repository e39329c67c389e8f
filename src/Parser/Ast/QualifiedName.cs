namespace StreamSql.Parser.Ast;

/// <summary>A possibly schema-qualified object name, already folded to lower case unless quoted.</summary>
public sealed record QualifiedName(int Position, string? Schema, string Name) : AstNode(Position)
{
    public override string ToString() => Schema is null ? Name : Schema + "." + Name;
}
