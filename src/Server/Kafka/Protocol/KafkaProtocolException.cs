namespace StreamSql.Server.Kafka.Protocol;

/// <summary>A request that cannot be decoded (wrong lengths, truncated fields); the connection that sent it is closed.</summary>
public sealed class KafkaProtocolException(string message) : Exception(message);
