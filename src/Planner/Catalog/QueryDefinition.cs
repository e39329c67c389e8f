using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Catalog;

/// <summary>A persistent query: its id, the statement that created it, the relation it writes and its plan.</summary>
public sealed record QueryDefinition(string Id, string Sql, string SinkName, string SourceName, LogicalPlan Plan);
