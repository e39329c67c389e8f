namespace StreamSql.Parser.Ast;

/// <summary>EXPLAIN [ANALYZE] statement: the plan; with ANALYZE a SELECT is run to completion (rows discarded) and per-operator counts shown.</summary>
public sealed record ExplainStatement(int Position, Statement Statement, bool Analyze = false) : Statement(Position);
