namespace StreamSql.Server.Kafka.Groups;

/// <summary>The answer to SyncGroup: an error or this member's assignment bytes as the leader computed them.</summary>
internal sealed record SyncResult(short Error, byte[] Assignment);
