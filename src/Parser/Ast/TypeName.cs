namespace StreamSql.Parser.Ast;

/// <summary>A type as written: name words ("double precision") and optional modifiers ("varchar(10)").</summary>
public sealed record TypeName(int Position, string Name, IReadOnlyList<int> Modifiers) : AstNode(Position);
