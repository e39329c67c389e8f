namespace StreamSql.Server.Kafka.Protocol;

/// <summary>The header of one request (v1, or v2 with tagged fields for flexible versions); the key is raw so unknown keys can be answered.</summary>
public sealed record RequestHeader(short ApiKey, short Version, int CorrelationId, string? ClientId);
