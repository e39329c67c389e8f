namespace StreamSql.Server.Kafka.Groups;

/// <summary>A JoinGroup request as the coordinator needs it, whatever its wire version.</summary>
internal sealed record JoinRequest(
    string GroupId,
    string MemberId,
    string ClientId,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ProtocolType,
    IReadOnlyList<GroupProtocol> Protocols);
