namespace StreamSql.Parser.Ast;

/// <summary>`*` or `alias.*` in a SELECT list.</summary>
public sealed record AllColumns(int Position, string? Qualifier) : SelectItem(Position);
