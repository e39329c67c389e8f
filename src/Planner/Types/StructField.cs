namespace StreamSql.Planner.Types;

/// <summary>One named field of a STRUCT type.</summary>
public sealed record StructField(string Name, SqlType Type);
