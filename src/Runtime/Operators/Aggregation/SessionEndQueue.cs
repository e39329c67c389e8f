using System.Runtime.InteropServices;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// The keys of a session window operator by when to look at them for closing: each key once, at the earliest end it was
/// queued with. The end is a lower bound of its sessions' ends (a session that grew since is found still open and its key
/// queued again at its open sessions' earliest end), so a hot key whose session grows every batch is queued about once per
/// gap of stream time instead of once per batch (q11: a sorted index entry and a set per batch and key were a tenth of its time).
/// </summary>
internal sealed class SessionEndQueue
{
    private readonly PriorityQueue<byte[], long> _queue = new();

    // The end each key is queued at; a queue entry with another end is stale (its key was queued again earlier, or taken).
    private readonly Dictionary<byte[], long> _queuedEnds = new(ByteArrayComparer.Instance);

    /// <summary>Queues key at end unless it is queued at that end or earlier already; returns the end it is queued at.</summary>
    public long Queue(byte[] key, long end)
    {
        ref var queued = ref CollectionsMarshal.GetValueRefOrAddDefault(_queuedEnds, key, out var exists);
        if (exists && queued <= end)
        {
            return queued;
        }

        queued = end;
        _queue.Enqueue(key, end);
        return end;
    }

    /// <summary>Takes the key queued at the earliest end if that end is at most <paramref name="limit"/>; it is then no longer queued.</summary>
    public bool TryTake(long limit, out byte[] key)
    {
        while (_queue.TryPeek(out key!, out var end) && end <= limit)
        {
            _queue.Dequeue();
            if (_queuedEnds.TryGetValue(key, out var queued) && queued == end)
            {
                _queuedEnds.Remove(key);
                return true;
            }
        }

        key = null!;
        return false;
    }
}
