namespace StreamSql.SqlLogicTest;

/// <summary>A column from a RowDescription message.</summary>
public sealed record PgColumn(string Name, uint TypeOid);
