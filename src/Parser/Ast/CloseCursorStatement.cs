namespace StreamSql.Parser.Ast;

/// <summary>CLOSE name | ALL: stops the cursor's query; Cursor is null for ALL.</summary>
public sealed record CloseCursorStatement(int Position, string? Cursor) : Statement(Position);
