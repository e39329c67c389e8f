namespace StreamSql.Planner.Catalog;

/// <summary>Serialization formats for record keys and values (ksqlDB names).</summary>
public enum SourceFormat
{
    Json,
    Delimited,
    Kafka,
    None,
}
