namespace StreamSql.Parser.Ast;

/// <summary>RESET name, or RESET ALL when Name is null.</summary>
public sealed record ResetStatement(int Position, string? Name) : Statement(Position);
