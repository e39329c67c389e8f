namespace StreamSql.Runtime.State;

/// <summary>
/// One operator's part of a store it shares with others of the same pipeline (an aggregation over an aggregation): its
/// keys carry a prefix byte, so the operators' keys (and their stream times) never meet, and a scan sees only its own.
/// Checkpoints, size and entry counts are the shared store's.
/// </summary>
public sealed class PrefixedStateStore(IStateStore store, byte prefix) : IStateStore
{
    private byte[] _key = new byte[64];

    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value) => store.TryGet(Prefixed(key), out value);

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => store.Put(Prefixed(key), value);

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool existed) => store.Put(Prefixed(key), value, existed);

    public bool Delete(ReadOnlySpan<byte> key) => store.Delete(Prefixed(key));

    public void DeleteExisting(ReadOnlySpan<byte> key) => store.DeleteExisting(Prefixed(key));

    public void Scan(StateVisitor visitor) => store.Scan((key, value) => key.Length == 0 || key[0] != prefix || visitor(key[1..], value));

    public long Count => store.Count;

    public long SizeBytes => store.SizeBytes;

    public string Checkpoint() => store.Checkpoint();

    public void Attach(IWriteBehind writer) => store.Attach(writer);

    /// <summary>The shared store is disposed by its owner.</summary>
    public void Dispose()
    {
    }

    // One operator calls a store from its task's thread (pull queries read the table's own materialization, not this).
    private ReadOnlySpan<byte> Prefixed(ReadOnlySpan<byte> key)
    {
        if (_key.Length < key.Length + 1)
        {
            _key = new byte[Math.Max(key.Length + 1, _key.Length * 2)];
        }

        _key[0] = prefix;
        key.CopyTo(_key.AsSpan(1));
        return _key.AsSpan(0, key.Length + 1);
    }
}
