using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// The groups an aggregation saved in recent batches, decoded, by state key: two generations of at most
/// <see cref="GenerationLimit"/> groups each. A full young generation becomes the old one (the previous old one is
/// dropped), so groups touched again and again stay, and memory stays bounded, without per-lookup LRU bookkeeping.
/// A group is taken out while a batch works on it and kept again once the batch has saved it, so a kept group is
/// always what the store holds (a batch that fails leaves nothing half-updated here).
/// </summary>
public sealed class RecentGroups<TGroup>
    where TGroup : class
{
    public const int GenerationLimit = 65_536;

    private Dictionary<byte[], TGroup> _young = new(ByteArrayComparer.Instance);
    private Dictionary<byte[], TGroup> _old = new(ByteArrayComparer.Instance);
    private Dictionary<byte[], TGroup>.AlternateLookup<ReadOnlySpan<byte>> _youngBySpan;
    private Dictionary<byte[], TGroup>.AlternateLookup<ReadOnlySpan<byte>> _oldBySpan;

    public RecentGroups()
    {
        _youngBySpan = _young.GetAlternateLookup<ReadOnlySpan<byte>>();
        _oldBySpan = _old.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count => _young.Count + _old.Count;

    public void Keep(byte[] stateKey, TGroup group)
    {
        if (_young.Count >= GenerationLimit)
        {
            _old.Clear();
            (_old, _young) = (_young, _old);
            (_oldBySpan, _youngBySpan) = (_youngBySpan, _oldBySpan);
        }

        _young[stateKey] = group;
    }

    /// <summary>Takes a kept group out (the caller keeps it again after saving it); false when there is none.</summary>
    public bool TryTake(ReadOnlySpan<byte> stateKey, out byte[] key, out TGroup group)
    {
        if (_youngBySpan.Remove(stateKey, out key!, out group!) || _oldBySpan.Remove(stateKey, out key!, out group!))
        {
            return true;
        }

        return false;
    }
}
