namespace StreamSql.Server.Kafka.Groups;

/// <summary>A consumer group's committed position in one partition, as stored in the offsets topic (one JSON record per commit).</summary>
internal sealed record CommittedOffset(string Group, string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);
