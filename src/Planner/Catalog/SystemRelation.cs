namespace StreamSql.Planner.Catalog;

/// <summary>A system relation's columns and rows at bind time.</summary>
public sealed record SystemRelation(IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows);
