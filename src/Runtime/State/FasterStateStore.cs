using System.Buffers;
using System.Numerics;
using FASTER.core;
using Serilog;

namespace StreamSql.Runtime.State;

/// <summary>
/// A state store on one FASTER KV of byte keys and values. The hybrid log keeps its newest part in memory (sized from
/// the memory budget) and spills the rest to a log file in the store's directory; checkpoints live under that directory.
/// One session behind one lock: FASTER sessions are single-threaded, and operator state is written by one task anyway.
/// </summary>
public sealed class FasterStateStore : IStateStore
{
    private static readonly ILogger Log = Serilog.Log.ForContext<FasterStateStore>();

    // Newest checkpoints kept on disk: the one just taken plus the previous one, in case the newest is never acknowledged.
    private const int CheckpointsKept = 2;

    // Reads that only ask "is the key there" copy the value into this much stack before falling back to pooled memory.
    private const int ProbeBufferBytes = 256;

    public const long MinimumBudgetBytes = 1L << 20;

    // A new store's hash index: 2^14 buckets (1 MB), doubled as keys come, up to the budget's share (Layout). An index
    // sized for the budget from the start cost every store 8 MB of pinned memory, written whole at each checkpoint, and
    // lookups spread over it missed the caches (q11: 10% slower than with 1 MB).
    private const long InitialIndexBuckets = 1L << 14;

    // Keys created between looks at the index's overflow buckets (reading the count is cheap, but not free).
    private const int CreationsPerIndexCheck = 1024;

    private readonly object _gate = new();
    private readonly string _directory;
    private readonly IDevice _device;
    private readonly ICheckpointManager _checkpoints;
    private readonly FasterKV<SpanByte, SpanByte> _store;
    private readonly ClientSession<SpanByte, SpanByte, SpanByte, SpanByteAndMemory, Empty, StateStoreFunctions> _session;
    private readonly StateStoreFunctions _functions = new();
    private readonly Action<FasterStateStore>? _onDispose;
    private readonly Action<FasterStateStore>? _onLogGrowth;
    private long _tailPage;
    private long _diskReads;
    private readonly int _pageBits;
    private long _count;
    private bool _disposed;
    private readonly long _maxIndexBuckets;
    private int _creationsSinceIndexCheck;

    /// <summary>Opens the store in <paramref name="directory"/>: empty (old files removed) without a token, else recovered to it.</summary>
    /// <param name="onDispose">Told once the store is closed (the provider then shares its memory among the others).</param>
    /// <param name="syncWrites">Log pages and checkpoints reach the disk before FASTER counts them written, else the page cache.</param>
    /// <param name="onLogGrowth">Told when the log has grown past its memory limit (the provider then re-shares its memory).</param>
    public FasterStateStore(string directory, long memoryBudgetBytes, string? checkpointToken = null, Action<FasterStateStore>? onDispose = null, bool syncWrites = true,
        Action<FasterStateStore>? onLogGrowth = null)
    {
        _onDispose = onDispose;
        _onLogGrowth = onLogGrowth;
        // Below 1 MB the minimum index and page sizes alone would exceed the budget.
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryBudgetBytes, MinimumBudgetBytes);
        _directory = directory;
        var (token, checkpointedBuckets) = ParseToken(checkpointToken);

        // Without a checkpoint to recover, leftover log segments and checkpoints belong to a previous life of the store:
        // the fresh log would overwrite them and make the old checkpoints unrecoverable anyway.
        if (token is null && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        var (maxIndexBuckets, memoryBits, pageBits) = Layout(memoryBudgetBytes);

        // Recovery needs the index at the size it had when checkpointed (FASTER refuses another).
        var indexBuckets = checkpointedBuckets ?? Math.Min(maxIndexBuckets, InitialIndexBuckets);
        _maxIndexBuckets = Math.Max(maxIndexBuckets, indexBuckets);
        _pageBits = pageBits;
        _device = new Storage.BufferedFileDevice(Path.Combine(directory, "hlog.log"), syncWrites, recover: token is not null);
        _checkpoints = new DeviceLogCommitCheckpointManager(
            new Storage.BufferedFileDeviceFactory(syncWrites), new DefaultCheckpointNamingScheme(Path.Combine(directory, "checkpoints")), removeOutdated: false);
        _store = new FasterKV<SpanByte, SpanByte>(
            indexBuckets,
            new LogSettings
            {
                LogDevice = _device,
                MemorySizeBits = memoryBits,
                PageSizeBits = pageBits,
                SegmentSizeBits = Math.Max(pageBits, 28),
            },
            new CheckpointSettings { CheckpointManager = _checkpoints });

        try
        {
            if (token is { } guid)
            {
                _store.Recover(guid);
            }

            _session = _store.For(_functions).NewSession<StateStoreFunctions>();
            if (token is not null)
            {
                // The checkpoint does not carry the count; one pass over the recovered log restores it.
                long count = 0;
                ScanLocked((_, _) =>
                {
                    count++;
                    return true;
                });
                _count = count;
            }
        }
        catch
        {
            _session?.Dispose();
            _store.Dispose();
            _device.Dispose();
            _checkpoints.Dispose();
            throw;
        }

        Log.Information(
            "Opened state store {Directory}: budget {BudgetBytes} bytes, index {IndexBuckets} buckets (up to {MaxIndexBuckets}), log memory 2^{MemoryBits} in 2^{PageBits} pages, recovered {Token} with {Count} entries",
            directory, memoryBudgetBytes, indexBuckets, _maxIndexBuckets, memoryBits, pageBits, checkpointToken, _count);
    }

    /// <summary>
    /// Splits the budget: at most an eighth for the hash index (64-byte buckets, at least 2^12; a store starts smaller and
    /// grows to it as keys come), the rest, rounded down to a power
    /// of two, for the in-memory log in eight pages so there is always room to flush one while writing the next.
    /// Overflow buckets (keys beyond 7 per bucket) are allocated outside this budget. Records must fit in one page.
    /// </summary>
    public static (long IndexBuckets, int MemoryBits, int PageBits) Layout(long budgetBytes)
    {
        var indexBuckets = Math.Max(1L << 12, (long)BitOperations.RoundUpToPowerOf2((ulong)(budgetBytes / 8 / 64) + 1) >> 1);
        var logBytes = Math.Max(budgetBytes - indexBuckets * 64, 1L << 15);
        var memoryBits = BitOperations.Log2((ulong)logBytes);

        // Pages must hold the largest record (a value of tens of KB), hence at least 2^15; above 2^22 there is no gain.
        var pageBits = Math.Clamp(memoryBits - 3, 15, 22);
        memoryBits = Math.Max(memoryBits, pageBits + 1);
        return (indexBuckets, memoryBits, pageBits);
    }

    /// <summary>
    /// A checkpoint token: FASTER's checkpoint id, then '@' and the index's size in buckets at the checkpoint. A bare id
    /// (stores checkpointed before the index could grow) had the budget's size, which Layout gives.
    /// </summary>
    private static (Guid? Token, long? IndexBuckets) ParseToken(string? checkpointToken)
    {
        if (checkpointToken is null)
        {
            return (null, null);
        }

        var at = checkpointToken.IndexOf('@', StringComparison.Ordinal);
        return at < 0
            ? (Guid.Parse(checkpointToken), null)
            : (Guid.Parse(checkpointToken.AsSpan(0, at)), long.Parse(checkpointToken.AsSpan(at + 1), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The hash index's size in buckets (64 bytes each).</summary>
    public long IndexBuckets => _store.IndexSize;

    /// <summary>
    /// After a key was created: every so many creations, doubles the index when more than one bucket in eight has
    /// overflowed (chains of overflow buckets make every lookup in them slower), up to the budget's share.
    /// </summary>
    private void NoteCreated()
    {
        Interlocked.Increment(ref _count);
        if (++_creationsSinceIndexCheck < CreationsPerIndexCheck)
        {
            return;
        }

        _creationsSinceIndexCheck = 0;
        var buckets = _store.IndexSize;
        if (buckets < _maxIndexBuckets && _store.OverflowBucketCount > buckets / 8)
        {
            var grown = _store.GrowIndex();
            Log.Debug("State store {Directory}: index grown from {Buckets} buckets to {Now} ({Grown}), {Count} entries", _directory, buckets, _store.IndexSize, grown, _count);
        }
    }

    public long Count => Interlocked.Read(ref _count) + WriteBehind.UnsavedEntriesOf(_writeBehinds);

    // Several when operators of one pipeline share the store (each through its own PrefixedStateStore).
    private IWriteBehind[] _writeBehinds = [];

    public void Attach(IWriteBehind writer) => _writeBehinds = [.. _writeBehinds, writer];

    /// <summary>How much of the log is in memory now (from its head, the oldest in-memory address, to its tail).</summary>
    public long InMemoryLogBytes => _store.Log.TailAddress - _store.Log.HeadAddress;

    /// <summary>Operations that waited for a record to be read back from the log file (it had left memory).</summary>
    public long DiskReads => Interlocked.Read(ref _diskReads);

    /// <summary>
    /// The memory the log would use without a limit: the pages from its first address to its tail, plus the next one to
    /// fill (at least two pages, at most its whole circular buffer).
    /// </summary>
    public long LogMemoryDemandBytes
    {
        get
        {
            if (_disposed)
            {
                return 0;
            }

            var pageBytes = 1L << _pageBits;
            var pages = (_store.Log.TailAddress - _store.Log.BeginAddress + pageBytes - 1) / pageBytes + 1;
            return Math.Clamp(pages, 2, _store.Log.BufferSize) * pageBytes;
        }
    }

    /// <summary>The most memory the in-memory part of the log may use now (whole pages).</summary>
    public long LogMemoryLimitBytes { get; private set; }

    /// <summary>
    /// Caps the in-memory log at about <paramref name="bytes"/> (whole pages, at least two) by leaving the rest of its
    /// circular buffer empty: older pages are then evicted to the log file sooner. The provider calls this to share one
    /// memory budget among all open stores.
    /// </summary>
    public void LimitLogMemory(long bytes)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var pageBytes = 1L << _pageBits;
            var bufferPages = _store.Log.BufferSize;
            var pages = (int)Math.Clamp(bytes / pageBytes, 2, bufferPages);
            var empty = Math.Min(bufferPages - pages, _store.Log.MaxEmptyPageCount);
            if (empty != _store.Log.EmptyPageCount)
            {
                _store.Log.SetEmptyPageCount(empty, wait: false);
            }

            LogMemoryLimitBytes = (bufferPages - empty) * pageBytes;
        }
    }

    /// <summary>
    /// Waits until the in-memory log is within <see cref="LogMemoryLimitBytes"/> (plus the page being filled): pages are
    /// evicted only once their asynchronous flush is done, so after a burst of writes on a busy disk the log may hold more
    /// for a while. Flushes and evicts the pages beyond the limit, waiting for both.
    /// </summary>
    public void EnforceLogMemoryLimit()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var pageBytes = 1L << _pageBits;
            var head = (_store.Log.TailAddress - LogMemoryLimitBytes + pageBytes - 1) & ~(pageBytes - 1);
            if (head > _store.Log.HeadAddress)
            {
                _store.Log.ShiftHeadAddress(head, wait: true);
            }
        }
    }

    public long SizeBytes => _store.Log.TailAddress - _store.Log.BeginAddress;

    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var output = default(SpanByteAndMemory);
            var found = Read(key, ref output);
            try
            {
                value = found ? Copy(ref output) : null;
                return found;
            }
            finally
            {
                output.Memory?.Dispose();
            }
        }
    }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        bool outgrown;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (Replace(key, value))
            {
                NoteCreated();
            }

            outgrown = OutgrewLogMemory();
        }

        if (outgrown)
        {
            _onLogGrowth?.Invoke(this);
        }
    }

    /// <summary>
    /// Writes the value with a read-modify-write whose callbacks tell whether the key was there (one lookup, where an
    /// existence probe and an upsert took two); true when it was not. A key on disk is read first, as the probe read it.
    /// </summary>
    private unsafe bool Replace(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var keySpan = SpanByte.FromPointer(k, key.Length);
            var valueSpan = SpanByte.FromPointer(v, value.Length);
            var output = default(SpanByteAndMemory);
            _functions.Created = false;
            var status = _session.RMW(ref keySpan, ref valueSpan, ref output);
            if (status.IsPending)
            {
                Interlocked.Increment(ref _diskReads);
                _session.CompletePending(wait: true);
            }

            output.Memory?.Dispose();
            return _functions.Created;
        }
    }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool existed)
    {
        bool outgrown;
        lock (_gate)
        {
            ThrowIfDisposed();
            Upsert(key, value, existed);
            outgrown = OutgrewLogMemory();
        }

        // Outside the gate: the provider takes its own lock and then every store's gate.
        if (outgrown)
        {
            _onLogGrowth?.Invoke(this);
        }
    }

    /// <summary>Whether the tail has just entered a new page and the log now wants more memory than its limit.</summary>
    private bool OutgrewLogMemory()
    {
        var tailPage = _store.Log.TailAddress >> _pageBits;
        if (tailPage == _tailPage)
        {
            return false;
        }

        _tailPage = tailPage;
        return LogMemoryDemandBytes > LogMemoryLimitBytes;
    }

    private unsafe void Upsert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool existed)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var keySpan = SpanByte.FromPointer(k, key.Length);
            var valueSpan = SpanByte.FromPointer(v, value.Length);
            var status = _session.Upsert(ref keySpan, ref valueSpan);
            if (status.IsPending)
            {
                Interlocked.Increment(ref _diskReads);
                _session.CompletePending(wait: true);
            }
        }

        if (!existed)
        {
            NoteCreated();
        }
    }

    public bool Delete(ReadOnlySpan<byte> key)
    {
        lock (_gate)
        {
            ThrowIfDisposed();

            // FASTER writes a tombstone whether or not the key is there, and its status does not tell reliably when the
            // key lived on disk; the read does, and keeps Count exact.
            if (!Exists(key))
            {
                return false;
            }

            DeleteLocked(key);
            return true;
        }
    }

    public void DeleteExisting(ReadOnlySpan<byte> key)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            DeleteLocked(key);
        }
    }

    private unsafe void DeleteLocked(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            var keySpan = SpanByte.FromPointer(k, key.Length);
            var status = _session.Delete(ref keySpan);
            if (status.IsPending)
            {
                Interlocked.Increment(ref _diskReads);
                _session.CompletePending(wait: true);
            }
        }

        Interlocked.Decrement(ref _count);
    }

    public void Scan(StateVisitor visitor)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            ScanLocked(visitor);
        }
    }

    private unsafe void ScanLocked(StateVisitor visitor)
    {
        // FASTER 2.6.5's Iterate (distinct live records) returns superseded versions once they have spilled to disk, and
        // the address a pending (on-disk) lookup reports is not always the record's, so a key whose live record was on
        // disk could be skipped. Instead, a first walk over the log notes each key's last record (the log holds a key's
        // versions in address order; a tombstone ends the key), and a second walk visits exactly those records. The
        // first walk keeps the keys, not the values, in memory. The lock keeps writers out, so the log does not move.
        var tail = _store.Log.TailAddress;
        var latest = new Dictionary<byte[], long>(ByteArrayComparer.Instance);
        using (var first = _store.Log.Scan(_store.Log.BeginAddress, tail))
        {
            while (first.GetNext(out var recordInfo))
            {
                var key = first.GetKey().AsReadOnlySpan().ToArray();
                if (recordInfo.Tombstone)
                {
                    latest.Remove(key);
                }
                else
                {
                    latest[key] = first.CurrentAddress;
                }
            }
        }

        if (latest.Count == 0)
        {
            return;
        }

        using var iterator = _store.Log.Scan(_store.Log.BeginAddress, tail);
        while (iterator.GetNext(out var recordInfo))
        {
            if (recordInfo.Tombstone)
            {
                continue;
            }

            ref var key = ref iterator.GetKey();
            if (!latest.TryGetValue(key.AsReadOnlySpan().ToArray(), out var address) || address != iterator.CurrentAddress)
            {
                continue;
            }

            if (!visitor(key.AsReadOnlySpan(), iterator.GetValue().AsReadOnlySpan()))
            {
                return;
            }
        }
    }

    public string Checkpoint()
    {
        WriteBehind.SaveAll(_writeBehinds);
        lock (_gate)
        {
            ThrowIfDisposed();
            _session.CompletePending(wait: true);

            // Fold-over flushes the in-memory log to the log file and marks it read-only: no second copy of the data.
            var (success, token) = _store.TakeFullCheckpointAsync(CheckpointType.FoldOver).AsTask().GetAwaiter().GetResult();
            if (!success)
            {
                throw new InvalidOperationException($"state store {_directory}: FASTER refused the checkpoint (another one in progress)");
            }

            _store.CompleteCheckpointAsync().AsTask().GetAwaiter().GetResult();
            PurgeOldCheckpoints(token);
            Log.Debug("State store {Directory} checkpointed {Token}: {Count} entries, log {SizeBytes} bytes", _directory, token, _count, SizeBytes);
            return token.ToString() + "@" + _store.IndexSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private void PurgeOldCheckpoints(Guid newest)
    {
        // The manager lists tokens newest first; the one just taken goes first regardless of timestamp granularity.
        var tokens = _checkpoints.GetLogCheckpointTokens().Where(t => t != newest).Prepend(newest).Distinct().ToList();
        foreach (var old in tokens.Skip(CheckpointsKept))
        {
            try
            {
                _checkpoints.Purge(old);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A checkpoint that cannot be deleted only costs disk; the store itself is fine.
                Log.Warning(e, "State store {Directory}: could not delete old checkpoint {Token}", _directory, old);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _session.Dispose();
            _store.Dispose();
            _device.Dispose();
            _checkpoints.Dispose();
        }

        // Outside the gate: the provider takes its own lock and then other stores' gates.
        _onDispose?.Invoke(this);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Looks the key up, copying its value into a small stack buffer (or pooled memory when larger).</summary>
    private unsafe bool Exists(ReadOnlySpan<byte> key)
    {
        var buffer = stackalloc byte[ProbeBufferBytes];
        var output = new SpanByteAndMemory(buffer, ProbeBufferBytes);
        try
        {
            return Read(key, ref output);
        }
        finally
        {
            output.Memory?.Dispose();
        }
    }

    /// <summary>Reads into <paramref name="output"/>, waiting for the disk when the record is no longer in memory.</summary>
    private unsafe bool Read(ReadOnlySpan<byte> key, ref SpanByteAndMemory output)
    {
        fixed (byte* k = key)
        {
            var keySpan = SpanByte.FromPointer(k, key.Length);
            var status = _session.Read(ref keySpan, ref output);
            if (!status.IsPending)
            {
                return status.Found;
            }

            Interlocked.Increment(ref _diskReads);

            // The pending read completed on the IO path; its output (heap memory, the stack buffer is gone by then for
            // FASTER's purposes) comes back through the completed-outputs iterator.
            _session.CompletePendingWithOutputs(out var completed, wait: true);
            using (completed)
            {
                if (!completed.Next())
                {
                    throw new InvalidOperationException($"state store {_directory}: pending read completed without an output");
                }

                ref var result = ref completed.Current;
                output.Memory?.Dispose();
                output = result.Output;
                return result.Status.Found;
            }
        }
    }

    private static byte[] Copy(ref SpanByteAndMemory output) =>
        output.IsSpanByte ? output.SpanByte.AsReadOnlySpan().ToArray() : output.Memory.Memory.Span[..output.Length].ToArray();
}
