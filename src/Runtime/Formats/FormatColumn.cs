using StreamSql.Planner.Types;

namespace StreamSql.Runtime.Formats;

/// <summary>A column a format reads or writes: its name, type and index in the row.</summary>
public readonly record struct FormatColumn(string Name, SqlType Type, int RowIndex);
