namespace StreamSql.Planner.Catalog;

/// <summary>Serialization formats for record keys and values (ksqlDB names).</summary>
public enum SourceFormat
{
    Json,
    Delimited,
    Kafka,
    None,

    /// <summary>
    /// Internal topics only (the stages of a repartitioned query): the engine's binary row format. Not a WITH option:
    /// nobody but the engine reads these records, so no text is written and parsed per row.
    /// </summary>
    Internal,
}
