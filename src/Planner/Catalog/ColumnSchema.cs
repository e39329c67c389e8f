using StreamSql.Planner.Types;

namespace StreamSql.Planner.Catalog;

/// <summary>A column of a relation; Hidden columns (pseudocolumns such as ROWTIME) are left out of SELECT *.</summary>
public sealed record ColumnSchema(string Name, SqlType Type, bool IsKey = false, bool Hidden = false);
