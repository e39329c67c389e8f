namespace StreamSql.Parser.Ast;

/// <summary>A type as written: name ("double precision", "array", "map", "struct"), modifiers ("varchar(10)"), element types and struct field names.</summary>
public sealed record TypeName(int Position, string Name, IReadOnlyList<int> Modifiers) : AstNode(Position)
{
    public IReadOnlyList<TypeName> Arguments { get; init; } = [];

    public IReadOnlyList<string> FieldNames { get; init; } = [];
}
