namespace StreamSql.Parser.Ast;

/// <summary>RESTART QUERY query_id: stops a persistent query (FAILED or not) and starts it again from its committed offsets.</summary>
public sealed record RestartQueryStatement(int Position, string QueryId) : Statement(Position);
