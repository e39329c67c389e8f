namespace StreamSql.Runtime.State;

/// <summary>
/// State held only in memory, for transient push queries (their state dies with the client's query, as in ksqlDB) and
/// for tests; persistent queries use FASTER.
/// </summary>
public sealed class MemoryStateStore : IStateStore
{
    private readonly Dictionary<byte[], byte[]> _entries = new(ByteArrayComparer.Instance);
    private long _bytes;

    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(key.ToArray(), out value);
        }
    }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        lock (_entries)
        {
            var k = key.ToArray();
            if (_entries.TryGetValue(k, out var old))
            {
                _bytes -= k.Length + old.Length;
            }

            _entries[k] = value.ToArray();
            _bytes += k.Length + value.Length;
        }
    }

    public bool Delete(ReadOnlySpan<byte> key)
    {
        lock (_entries)
        {
            var k = key.ToArray();
            if (!_entries.Remove(k, out var old))
            {
                return false;
            }

            _bytes -= k.Length + old.Length;
            return true;
        }
    }

    /// <summary>The caller's claim that the key is there is checked: a wrong one would leave FASTER's count off by one.</summary>
    public void DeleteExisting(ReadOnlySpan<byte> key)
    {
        if (!Delete(key))
        {
            throw new InvalidOperationException("state: a key deleted as existing is not in the store");
        }
    }

    public void Scan(StateVisitor visitor)
    {
        lock (_entries)
        {
            foreach (var (key, value) in _entries)
            {
                if (!visitor(key, value))
                {
                    return;
                }
            }
        }
    }

    public long Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count + WriteBehind.UnsavedEntriesOf(_writeBehinds);
            }
        }
    }

    // Several when operators of one pipeline share the store (each through its own PrefixedStateStore).
    private IWriteBehind[] _writeBehinds = [];

    public void Attach(IWriteBehind writer) => _writeBehinds = [.. _writeBehinds, writer];

    public long SizeBytes => Interlocked.Read(ref _bytes);

    /// <summary>Nothing to make durable: memory state is rebuilt from the source when needed.</summary>
    public string Checkpoint()
    {
        WriteBehind.SaveAll(_writeBehinds);
        return "";
    }

    public void Dispose()
    {
        lock (_entries)
        {
            _entries.Clear();
        }
    }
}
