namespace StreamSql.Server.Kafka.Groups;

/// <summary>One member of a consumer group: its timeouts, offered protocols, liveness and the join or sync it is waiting on.</summary>
internal sealed class GroupMember(string id)
{
    public string Id { get; } = id;

    public string ClientId { get; set; } = "";

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    public IReadOnlyList<GroupProtocol> Protocols { get; set; } = [];

    public long LastHeartbeat { get; set; }

    public byte[] Assignment { get; set; } = [];

    public TaskCompletionSource<JoinResult>? PendingJoin { get; set; }

    public TaskCompletionSource<SyncResult>? PendingSync { get; set; }

    public bool Supports(string protocol)
    {
        foreach (var p in Protocols)
        {
            if (p.Name == protocol)
            {
                return true;
            }
        }

        return false;
    }

    public byte[] MetadataFor(string protocol)
    {
        foreach (var p in Protocols)
        {
            if (p.Name == protocol)
            {
                return p.Metadata;
            }
        }

        return [];
    }
}
