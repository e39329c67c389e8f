namespace StreamSql.Parser.Ast;

/// <summary>TERMINATE query_id or TERMINATE ALL (QueryId null).</summary>
public sealed record TerminateStatement(int Position, string? QueryId) : Statement(Position);
