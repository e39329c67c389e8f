namespace StreamSql.Parser.Ast;

/// <summary>A literal introduced by a type name: TIMESTAMP '...', DATE '...'.</summary>
public sealed record TypedLiteral(int Position, TypeName Type, string Value) : Expression(Position);
