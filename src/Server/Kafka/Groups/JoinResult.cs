namespace StreamSql.Server.Kafka.Groups;

/// <summary>The answer to JoinGroup: the new generation, the chosen protocol and leader, and (for the leader only) every member's metadata.</summary>
internal sealed record JoinResult(short Error, int Generation, string ProtocolName, string Leader, string MemberId, IReadOnlyList<(string MemberId, byte[] Metadata)> Members)
{
    public static JoinResult Failed(short error, string memberId) => new(error, -1, "", "", memberId, []);
}
