namespace StreamSql.Parser.Ast;

/// <summary>A top-level SELECT.</summary>
public sealed record SelectStatement(int Position, Query Query) : Statement(Position);
