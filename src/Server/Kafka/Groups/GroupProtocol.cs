namespace StreamSql.Server.Kafka.Groups;

/// <summary>One assignment protocol a member offers in JoinGroup (e.g. "range" with its subscription metadata).</summary>
internal sealed record GroupProtocol(string Name, byte[] Metadata);
