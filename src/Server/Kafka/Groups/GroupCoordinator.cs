using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Groups;

/// <summary>The in-memory coordinator of every consumer group on this broker: one lock over all groups, a timer for session expiry, persisted offsets.</summary>
internal sealed class GroupCoordinator : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);
    private readonly Timer _timer;

    public GroupCoordinator(ITopicStore topics)
    {
        Offsets = new CommittedOffsets(topics);
        _timer = new Timer(_ => Tick(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    public CommittedOffsets Offsets { get; }

    private static long Now => Environment.TickCount64;

    public async Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        if (request.GroupId.Length == 0)
        {
            return JoinResult.Failed(ErrorCode.InvalidGroupId, request.MemberId);
        }

        if (request.SessionTimeoutMs <= 0)
        {
            return JoinResult.Failed(ErrorCode.InvalidSessionTimeout, request.MemberId);
        }

        Task<JoinResult> pending;
        lock (_gate)
        {
            if (!_groups.TryGetValue(request.GroupId, out var group))
            {
                group = new ConsumerGroup(request.GroupId);
                _groups.Add(request.GroupId, group);
            }

            pending = group.Join(request, Now);
        }

        return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SyncResult> SyncAsync(string groupId, int generation, string memberId, IReadOnlyDictionary<string, byte[]> assignments, CancellationToken cancellationToken)
    {
        Task<SyncResult> pending;
        lock (_gate)
        {
            pending = _groups.TryGetValue(groupId, out var group)
                ? group.Sync(generation, memberId, assignments)
                : Task.FromResult(new SyncResult(ErrorCode.UnknownMemberId, []));
        }

        return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public short Heartbeat(string groupId, int generation, string memberId)
    {
        lock (_gate)
        {
            return _groups.TryGetValue(groupId, out var group) ? group.Heartbeat(generation, memberId, Now) : ErrorCode.UnknownMemberId;
        }
    }

    public short Leave(string groupId, string memberId)
    {
        lock (_gate)
        {
            return _groups.TryGetValue(groupId, out var group) ? group.Leave(memberId, Now) : ErrorCode.UnknownMemberId;
        }
    }

    public short CheckCommit(string groupId, int generation, string memberId)
    {
        if (groupId.Length == 0)
        {
            return ErrorCode.InvalidGroupId;
        }

        lock (_gate)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return generation < 0 ? ErrorCode.None : ErrorCode.IllegalGeneration;
            }

            return group.CheckCommit(generation, memberId);
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            var now = Now;
            foreach (var group in _groups.Values)
            {
                group.Tick(now);
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
