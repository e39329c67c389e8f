namespace StreamSql.Parser.Ast;

/// <summary>SET name = value (session setting); Value null means DEFAULT.</summary>
public sealed record SetStatement(int Position, string Name, string? Value) : Statement(Position);
