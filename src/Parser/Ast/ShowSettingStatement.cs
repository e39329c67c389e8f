namespace StreamSql.Parser.Ast;

/// <summary>SHOW name (a session setting) or SHOW ALL when Name is null.</summary>
public sealed record ShowSettingStatement(int Position, string? Name) : Statement(Position);
