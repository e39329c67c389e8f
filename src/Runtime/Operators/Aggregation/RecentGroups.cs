using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// The groups an aggregation saved in recent batches, decoded, by state key: two generations, each of at most
/// <see cref="GenerationLimit"/> groups and <see cref="GenerationBytes"/> bytes of saved state. A full young generation
/// becomes the old one (the previous old one is dropped), so groups touched again and again stay, and memory stays
/// bounded, without per-lookup LRU bookkeeping. A group is taken out while a batch works on it and kept again once the
/// batch has saved it, so a kept group is always what the store holds (a batch that fails leaves nothing half-updated
/// here).
/// </summary>
public sealed class RecentGroups<TGroup>
    where TGroup : class
{
    public const int GenerationLimit = 65_536;

    /// <summary>Saved bytes per generation; decoded sets take a few times that on the heap, beside the store's own budget.</summary>
    public const long GenerationBytes = 8L << 20;

    private Generation _young = new();
    private Generation _old = new();

    /// <summary>Keeps a group whose saved state is stateBytes long.</summary>
    public void Keep(byte[] stateKey, TGroup group, int stateBytes)
    {
        if (_young.Groups.Count >= GenerationLimit || _young.Bytes + stateBytes > GenerationBytes)
        {
            _old.Clear();
            (_old, _young) = (_young, _old);
        }

        if (stateBytes <= GenerationBytes)
        {
            _young.Groups[stateKey] = (group, stateBytes);
            _young.Bytes += stateBytes;
        }
    }

    /// <summary>Takes a kept group out (the caller keeps it again after saving it); false when there is none.</summary>
    public bool TryTake(ReadOnlySpan<byte> stateKey, out byte[] key, out TGroup group) =>
        _young.TryTake(stateKey, out key, out group) || _old.TryTake(stateKey, out key, out group);

    private sealed class Generation
    {
        public Generation() => BySpan = Groups.GetAlternateLookup<ReadOnlySpan<byte>>();

        public Dictionary<byte[], (TGroup Group, int Bytes)> Groups { get; } = new(ByteArrayComparer.Instance);

        public Dictionary<byte[], (TGroup Group, int Bytes)>.AlternateLookup<ReadOnlySpan<byte>> BySpan { get; }

        public long Bytes { get; set; }

        public bool TryTake(ReadOnlySpan<byte> stateKey, out byte[] key, out TGroup group)
        {
            if (BySpan.Remove(stateKey, out key!, out var kept))
            {
                Bytes -= kept.Bytes;
                group = kept.Group;
                return true;
            }

            group = null!;
            return false;
        }

        public void Clear()
        {
            Groups.Clear();
            Bytes = 0;
        }
    }
}
