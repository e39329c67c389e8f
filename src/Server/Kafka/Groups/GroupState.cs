namespace StreamSql.Server.Kafka.Groups;

/// <summary>The classic consumer-group states of Kafka's group coordinator.</summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
}
