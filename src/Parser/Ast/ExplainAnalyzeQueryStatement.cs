namespace StreamSql.Parser.Ast;

/// <summary>EXPLAIN ANALYZE query_id: the per-operator counts of a running persistent query.</summary>
public sealed record ExplainAnalyzeQueryStatement(int Position, string QueryId) : Statement(Position);
