using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Tests.Kafka;

public sealed class ConsumerGroupTests
{
    private static JoinRequest Join(string memberId, string protocol = "range", int sessionTimeoutMs = 10_000) =>
        new("g", memberId, "client", sessionTimeoutMs, 30_000, "consumer", [new GroupProtocol(protocol, [1])]);

    private static Dictionary<string, byte[]> Assign(params (string Member, byte Partition)[] parts) =>
        parts.ToDictionary(p => p.Member, p => new[] { p.Partition });

    [Fact]
    public async Task FirstMemberLeadsAndGetsItsAssignment()
    {
        var group = new ConsumerGroup("g");
        var joined = await group.Join(Join(""), now: 0);
        Assert.Equal((ErrorCode.None, 1, "range"), (joined.Error, joined.Generation, joined.ProtocolName));
        Assert.Equal(joined.MemberId, joined.Leader);
        Assert.Single(joined.Members);

        var synced = await group.Sync(1, joined.MemberId, Assign((joined.MemberId, 7)));
        Assert.Equal([7], synced.Assignment);
        Assert.Equal(GroupState.Stable, group.State);
        Assert.Equal(ErrorCode.None, group.Heartbeat(1, joined.MemberId, now: 10));
    }

    [Fact]
    public async Task ASecondMemberTriggersARebalanceThatWaitsForTheFirst()
    {
        var group = new ConsumerGroup("g");
        var a = await group.Join(Join(""), 0);
        await group.Sync(1, a.MemberId, Assign((a.MemberId, 0)));

        var bJoin = group.Join(Join(""), 100);
        Assert.False(bJoin.IsCompleted);
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(1, a.MemberId, 200));

        var aJoin = group.Join(Join(a.MemberId), 300);
        var (aResult, bResult) = (await aJoin, await bJoin);
        Assert.Equal((2, 2), (aResult.Generation, bResult.Generation));
        Assert.Equal(a.MemberId, bResult.Leader);
        Assert.Equal(2, aResult.Members.Count);
        Assert.Empty(bResult.Members);

        var bSync = group.Sync(2, bResult.MemberId, new Dictionary<string, byte[]>());
        Assert.False(bSync.IsCompleted);
        var aSync = await group.Sync(2, a.MemberId, Assign((a.MemberId, 0), (bResult.MemberId, 1)));
        Assert.Equal([0], aSync.Assignment);
        Assert.Equal([1], (await bSync).Assignment);
        Assert.Equal(ErrorCode.IllegalGeneration, group.Heartbeat(1, a.MemberId, 400));
    }

    [Fact]
    public async Task LeavingAndExpiringMembersRebalanceTheRest()
    {
        var group = new ConsumerGroup("g");
        var a = await group.Join(Join("", sessionTimeoutMs: 1000), 0);
        var bJoin = group.Join(Join("", sessionTimeoutMs: 1000), 0);
        await group.Join(Join(a.MemberId, sessionTimeoutMs: 1000), 0);
        var b = await bJoin;
        await Task.WhenAll(group.Sync(2, a.MemberId, Assign((a.MemberId, 0), (b.MemberId, 1))), group.Sync(2, b.MemberId, new Dictionary<string, byte[]>()));

        Assert.Equal(ErrorCode.None, group.Leave(b.MemberId, 10));
        Assert.Equal(GroupState.PreparingRebalance, group.State);
        var again = await group.Join(Join(a.MemberId, sessionTimeoutMs: 1000), 20);
        Assert.Equal((3, 1), (again.Generation, again.Members.Count));
        await group.Sync(3, a.MemberId, Assign((a.MemberId, 0)));

        group.Tick(5000);
        Assert.Equal((GroupState.Empty, 0), (group.State, group.MemberCount));
        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat(3, a.MemberId, 5001));
    }

    [Fact]
    public async Task MembersThatDoNotRejoinAreDroppedAtTheRebalanceTimeout()
    {
        var group = new ConsumerGroup("g");
        var a = await group.Join(Join(""), 0);
        await group.Sync(1, a.MemberId, Assign((a.MemberId, 0)));
        var bJoin = group.Join(Join(""), 0);

        group.Tick(31_000);
        var b = await bJoin;
        Assert.Equal((ErrorCode.None, 2, b.MemberId), (b.Error, b.Generation, b.Leader));
        Assert.False(group.HasMember(a.MemberId));
    }

    [Fact]
    public async Task IncompatibleProtocolsAreRejected()
    {
        var group = new ConsumerGroup("g");
        await group.Join(Join("", "range"), 0);
        var other = await group.Join(Join("", "cooperative-sticky"), 0);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, other.Error);
    }
}
