namespace StreamSql.Runtime.State;

/// <summary>
/// Keyed state of one stateful operator instance (one query task): byte keys to byte values. FASTER KV in production.
/// Implementations are safe to call from several threads (a query task writes while pull queries read).
/// </summary>
public interface IStateStore : IDisposable
{
    bool TryGet(ReadOnlySpan<byte> key, out byte[]? value);

    void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>
    /// Put when the caller knows whether the key is there (it has just read it): the store need not look it up again to
    /// keep <see cref="Count"/> exact.
    /// </summary>
    void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool existed) => Put(key, value);

    /// <summary>Removes the key; false when it was not there.</summary>
    bool Delete(ReadOnlySpan<byte> key);

    /// <summary>Delete when the caller knows the key is there (it read it, or saved it): no lookup to keep <see cref="Count"/> exact.</summary>
    void DeleteExisting(ReadOnlySpan<byte> key) => Delete(key);

    /// <summary>
    /// Visits every live entry, in no particular order, as of the call (writers wait until it returns); the visitor copies
    /// what it keeps, and returns false to stop early.
    /// </summary>
    void Scan(StateVisitor visitor);

    /// <summary>Live entries (exact), including those the attached write-behind writer holds unsaved.</summary>
    long Count { get; }

    /// <summary>Bytes the store holds in memory and on disk, for metrics.</summary>
    long SizeBytes { get; }

    /// <summary>
    /// Makes the current contents durable (after the attached write-behind writer saved what it holds) and returns a token
    /// that <see cref="IStateStoreProvider.Open"/> recovers from.
    /// </summary>
    string Checkpoint();

    /// <summary>The store's one writer keeps entries in memory ahead of it (see <see cref="IWriteBehind"/>).</summary>
    void Attach(IWriteBehind writer);
}

/// <summary>Sees one entry of a scan; return false to stop.</summary>
public delegate bool StateVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

/// <summary>Opens state stores under the data directory, each bounded in memory (the rest spills to disk).</summary>
public interface IStateStoreProvider
{
    /// <summary>Opens (creating if needed) the store named by a relative path; with a checkpoint token, restores that checkpoint first.</summary>
    IStateStore Open(string name, string? checkpointToken = null);

    /// <summary>Deletes a store's files (the query that owned it was dropped).</summary>
    void Delete(string name);
}
