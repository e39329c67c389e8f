using Serilog;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Groups;

/// <summary>The state machine of one classic consumer group (join, sync, heartbeat, leave, expiry); callers hold the coordinator's lock.</summary>
/// <remarks>
/// A join or a leave moves the group to PreparingRebalance; the other members learn it from Heartbeat (REBALANCE_IN_PROGRESS)
/// and rejoin. When every member has rejoined (or the rebalance timeout drops the ones that did not), a new generation starts:
/// the leader gets everyone's metadata, computes the assignment and sends it in SyncGroup, which completes every member's sync.
/// </remarks>
internal sealed class ConsumerGroup(string id)
{
    private static readonly ILogger Log = Serilog.Log.ForContext<ConsumerGroup>();
    private readonly Dictionary<string, GroupMember> _members = new(StringComparer.Ordinal);
    private long _rebalanceDeadline;

    public string Id { get; } = id;

    public GroupState State { get; private set; } = GroupState.Empty;

    public int Generation { get; private set; }

    public string? ProtocolType { get; private set; }

    public string? Protocol { get; private set; }

    public string? Leader { get; private set; }

    public int MemberCount => _members.Count;

    public bool HasMember(string memberId) => _members.ContainsKey(memberId);

    public Task<JoinResult> Join(JoinRequest request, long now)
    {
        if (request.ProtocolType.Length == 0 || request.Protocols.Count == 0 || !CompatibleWithOthers(request))
        {
            return Task.FromResult(JoinResult.Failed(ErrorCode.InconsistentGroupProtocol, request.MemberId));
        }

        GroupMember? member;
        if (request.MemberId.Length == 0)
        {
            member = new GroupMember($"{request.ClientId}-{Guid.NewGuid():N}");
            _members.Add(member.Id, member);
        }
        else if (!_members.TryGetValue(request.MemberId, out member))
        {
            return Task.FromResult(JoinResult.Failed(ErrorCode.UnknownMemberId, request.MemberId));
        }

        member.ClientId = request.ClientId;
        member.SessionTimeoutMs = request.SessionTimeoutMs;
        member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        member.Protocols = request.Protocols;
        member.LastHeartbeat = now;
        member.PendingJoin?.TrySetResult(JoinResult.Failed(ErrorCode.RebalanceInProgress, member.Id));
        member.PendingJoin = new TaskCompletionSource<JoinResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        ProtocolType ??= request.ProtocolType;
        var pending = member.PendingJoin.Task;
        if (State != GroupState.PreparingRebalance)
        {
            PrepareRebalance(now, $"member {member.Id} joined");
        }

        TryCompleteJoin(now, force: false);
        return pending;
    }

    public Task<SyncResult> Sync(int generation, string memberId, IReadOnlyDictionary<string, byte[]> assignments)
    {
        if (!_members.TryGetValue(memberId, out var member))
        {
            return Task.FromResult(new SyncResult(ErrorCode.UnknownMemberId, []));
        }

        if (generation != Generation)
        {
            return Task.FromResult(new SyncResult(ErrorCode.IllegalGeneration, []));
        }

        switch (State)
        {
            case GroupState.PreparingRebalance or GroupState.Empty:
                return Task.FromResult(new SyncResult(ErrorCode.RebalanceInProgress, []));
            case GroupState.Stable:
                return Task.FromResult(new SyncResult(ErrorCode.None, member.Assignment));
        }

        member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.RebalanceInProgress, []));
        member.PendingSync = new TaskCompletionSource<SyncResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = member.PendingSync.Task;
        if (memberId == Leader)
        {
            foreach (var m in _members.Values)
            {
                m.Assignment = assignments.GetValueOrDefault(m.Id) ?? [];
                m.PendingSync?.TrySetResult(new SyncResult(ErrorCode.None, m.Assignment));
                m.PendingSync = null;
            }

            State = GroupState.Stable;
            Log.Information("Group {Group} generation {Generation} is stable with {Members} members", Id, Generation, _members.Count);
        }

        return pending;
    }

    public short Heartbeat(int generation, string memberId, long now)
    {
        if (!_members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }

        member.LastHeartbeat = now;
        if (State == GroupState.PreparingRebalance)
        {
            return ErrorCode.RebalanceInProgress;
        }

        return generation == Generation ? ErrorCode.None : ErrorCode.IllegalGeneration;
    }

    public short Leave(string memberId, long now)
    {
        if (!_members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }

        Remove(member, "left the group");
        Rebalance(now, $"member {memberId} left");
        return ErrorCode.None;
    }

    /// <summary>Drops members whose session expired and finishes a rebalance whose timeout passed.</summary>
    public void Tick(long now)
    {
        List<GroupMember>? expired = null;
        foreach (var member in _members.Values)
        {
            if (member.PendingJoin is null && member.PendingSync is null && now - member.LastHeartbeat > member.SessionTimeoutMs)
            {
                (expired ??= []).Add(member);
            }
        }

        if (expired is not null)
        {
            foreach (var member in expired)
            {
                Remove(member, "session timed out");
            }

            Rebalance(now, "members expired");
        }

        if (State == GroupState.PreparingRebalance && now >= _rebalanceDeadline)
        {
            TryCompleteJoin(now, force: true);
        }
    }

    /// <summary>Whether an offset commit from this member and generation is accepted (a commit outside any generation is).</summary>
    public short CheckCommit(int generation, string memberId)
    {
        if (generation < 0 && memberId.Length == 0)
        {
            return ErrorCode.None;
        }

        if (!_members.ContainsKey(memberId))
        {
            return ErrorCode.UnknownMemberId;
        }

        return generation == Generation ? ErrorCode.None : ErrorCode.IllegalGeneration;
    }

    private bool CompatibleWithOthers(JoinRequest request)
    {
        if (_members.Count == 0 || (_members.Count == 1 && _members.ContainsKey(request.MemberId)))
        {
            return true;
        }

        if (ProtocolType is not null && ProtocolType != request.ProtocolType)
        {
            return false;
        }

        foreach (var protocol in request.Protocols)
        {
            if (_members.Values.All(m => m.Id == request.MemberId || m.Supports(protocol.Name)))
            {
                return true;
            }
        }

        return false;
    }

    private void Rebalance(long now, string reason)
    {
        if (_members.Count == 0)
        {
            State = GroupState.Empty;
            Generation++;
            Protocol = null;
            ProtocolType = null;
            Leader = null;
            Log.Information("Group {Group} is empty ({Reason})", Id, reason);
            return;
        }

        if (State != GroupState.PreparingRebalance)
        {
            PrepareRebalance(now, reason);
        }

        TryCompleteJoin(now, force: false);
    }

    private void PrepareRebalance(long now, string reason)
    {
        State = GroupState.PreparingRebalance;
        var timeout = 0;
        foreach (var member in _members.Values)
        {
            timeout = Math.Max(timeout, member.RebalanceTimeoutMs);
            member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.RebalanceInProgress, []));
            member.PendingSync = null;
        }

        _rebalanceDeadline = now + timeout;
        Log.Information("Group {Group} is rebalancing: {Reason}", Id, reason);
    }

    private void TryCompleteJoin(long now, bool force)
    {
        if (!force && _members.Values.Any(m => m.PendingJoin is null))
        {
            return;
        }

        foreach (var member in _members.Values.Where(m => m.PendingJoin is null).ToList())
        {
            Remove(member, "did not rejoin before the rebalance timeout");
        }

        if (_members.Count == 0)
        {
            Rebalance(now, "no member rejoined");
            return;
        }

        Generation++;
        var members = _members.Values.ToList();
        Leader = Leader is not null && _members.ContainsKey(Leader) ? Leader : members[0].Id;
        var leader = _members[Leader];
        Protocol = leader.Protocols.FirstOrDefault(p => members.TrueForAll(m => m.Supports(p.Name)))?.Name ?? leader.Protocols[0].Name;
        State = GroupState.CompletingRebalance;
        var metadata = members.Select(m => (m.Id, m.MetadataFor(Protocol))).ToList();
        foreach (var member in members)
        {
            member.LastHeartbeat = now;
            member.Assignment = [];
            var result = new JoinResult(ErrorCode.None, Generation, Protocol, Leader, member.Id, member.Id == Leader ? metadata : []);
            member.PendingJoin!.TrySetResult(result);
            member.PendingJoin = null;
        }

        Log.Information("Group {Group} generation {Generation}: {Members} members, leader {Leader}, protocol {Protocol}",
            Id, Generation, members.Count, Leader, Protocol);
    }

    private void Remove(GroupMember member, string reason)
    {
        _members.Remove(member.Id);
        member.PendingJoin?.TrySetResult(JoinResult.Failed(ErrorCode.UnknownMemberId, member.Id));
        member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.UnknownMemberId, []));
        Log.Information("Group {Group}: member {Member} removed ({Reason})", Id, member.Id, reason);
    }
}
