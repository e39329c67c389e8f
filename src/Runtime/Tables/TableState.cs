using Serilog;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tables;

/// <summary>
/// The current rows of a table, materialized from its changelog topic: each record upserts the row of its key, a record
/// without a value deletes it. One reader per partition; state per partition, keyed by the record key bytes.
/// Pull queries read it after catching up to the topic's end; push queries subscribe to its changes.
/// Each partition checkpoints its store with the changelog offset it reflects (every checkpoint interval and at a
/// graceful stop); a start restores the newest checkpoint that verifies and reads the changelog on from its offset.
/// </summary>
public sealed class TableState : IAsyncDisposable, Operators.ITableLookup
{
    private static readonly ILogger Log = Serilog.Log.ForContext<TableState>();
    private const int MaxBatch = 4096;
    private readonly ITopicLog _topic;
    // Opened (and restored from a checkpoint, which scans the store) by each partition's reader task, not at construction:
    // a server with large tables starts listening at once. Empty until then; pull queries catch up first anyway.
    private readonly IStateStore?[] _stores;
    private readonly long[] _positions;
    private readonly RowCodec _codec;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _readers = [];
    private readonly List<Action<TableChange>> _subscribers = [];
    // Held while a batch is applied and while a subscriber takes its snapshot, so it sees each change exactly once.
    private readonly object _applyGate = new();
    private TaskCompletionSource _progress = NewSignal();

    private readonly Queries.QueryState _state;
    private readonly TimeSpan _checkpointInterval;

    // A windowed table with a RETENTION: per partition, its rows by window end (oldest first) and the latest window end seen.
    private readonly PriorityQueue<byte[], long>[]? _byWindowEnd;
    private readonly long[]? _latestWindowEnd;

    // Per partition: the offsets the table's own query appended (stored without decoding), and the net effect of a batch.
    private readonly OwnRecordRanges[] _own;
    private readonly Queries.LatestRecordPerKey _latest = new();
    private byte[] _packed = new byte[256];

    /// <param name="manifestDirectory">Where the partitions' checkpoint manifests live.</param>
    public TableState(StreamDefinition table, ITopicLog topic, IStateStoreProvider stores, string storeName, string manifestDirectory, TimeSpan checkpointInterval)
    {
        Table = table;
        _topic = topic;
        _codec = new RowCodec(table);
        _checkpointInterval = checkpointInterval;
        _state = new Queries.QueryState(stores, storeName, manifestDirectory);
        _stores = new IStateStore?[topic.PartitionCount];
        _positions = new long[topic.PartitionCount];
        _own = new OwnRecordRanges[topic.PartitionCount];
        for (var p = 0; p < _own.Length; p++)
        {
            _own[p] = new OwnRecordRanges();
        }

        if (table.WindowRetention is not null)
        {
            _byWindowEnd = new PriorityQueue<byte[], long>[topic.PartitionCount];
            _latestWindowEnd = new long[topic.PartitionCount];
            for (var p = 0; p < _byWindowEnd.Length; p++)
            {
                _byWindowEnd[p] = new PriorityQueue<byte[], long>();
                _latestWindowEnd[p] = long.MinValue;
            }
        }

        for (var p = 0; p < _stores.Length; p++)
        {
            // The layout before checkpoints (rebuilt at every start) used these names.
            stores.Delete($"{storeName}/p{p}");
        }
    }

    /// <summary>Changelog records the start had to apply beyond the restored checkpoints (0 after a graceful stop and restart).</summary>
    public long ReplayedAtStart => Interlocked.Read(ref _replayedAtStart);

    private long _replayedAtStart;

    public StreamDefinition Table { get; }

    /// <summary>Records skipped because they had no key or did not decode.</summary>
    public long BadRecords => Interlocked.Read(ref _badRecords);

    private long _badRecords;

    public long RowCount
    {
        get
        {
            long count = 0;
            foreach (var store in _stores)
            {
                count += store?.Count ?? 0;
            }

            return count;
        }
    }

    public long SizeBytes
    {
        get
        {
            long size = 0;
            foreach (var store in _stores)
            {
                size += store?.SizeBytes ?? 0;
            }

            return size;
        }
    }

    private readonly object _startGate = new();
    private Task? _startCatchUp;

    /// <summary>Whether the materialization runs: from the table's creation, or (see StreamEngine.StartTable) from its first use.</summary>
    public bool IsStarted => Volatile.Read(ref _startCatchUp) is not null;

    /// <summary>Starts reading the changelog (once; later calls do nothing).</summary>
    public void Start()
    {
        lock (_startGate)
        {
            if (_startCatchUp is not null)
            {
                return;
            }

            for (var p = 0; p < _stores.Length; p++)
            {
                var partition = p;
                _readers.Add(Task.Run(() => ReadAsync(partition, _stop.Token)));
            }

            Volatile.Write(ref _startCatchUp, CatchUpStartedAsync(_stop.Token));
        }
    }

    /// <summary>
    /// Starts the materialization if it has not started, and waits until it has applied what the changelog held when it
    /// started: a table first used by a push query or a join then shows its rows, not an empty start.
    /// </summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        Start();
        return _startCatchUp!.WaitAsync(cancellationToken);
    }

    private async Task ReadAsync(int partition, CancellationToken cancellationToken)
    {
        try
        {
            var store = _state.Open(partition, "rows");
            var from = _state.RestoredOffset(partition) ?? _topic.StartOffset(partition);
            Interlocked.Add(ref _replayedAtStart, Math.Max(0, _topic.EndOffset(partition) - from));
            if (Table.WindowRetention is not null)
            {
                // The restored rows' windows, so that they expire as the live ones do.
                store.Scan((key, value) =>
                {
                    NoteWindow(partition, key.ToArray(), DecodeWithKey(key, value, partition));
                    return true;
                });
            }

            Volatile.Write(ref _stores[partition], store);
            if (from > 0)
            {
                Log.Information("Table {Table} partition {Partition} restored from its checkpoint at offset {Offset}", Table.Name, partition, from);
            }

            using var reader = _topic.OpenReader(partition, from);
            Volatile.Write(ref _positions[partition], from);

            // A restored partition may already be caught up: whoever waits for it must hear so now, not at the next record.
            Interlocked.Exchange(ref _progress, NewSignal()).TrySetResult();
            var records = new List<TopicRecord>(MaxBatch);
            var lastCheckpoint = System.Diagnostics.Stopwatch.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                records.Clear();
                if (reader.TryRead(records, MaxBatch) == 0)
                {
                    await reader.ReadAsync(records, MaxBatch, cancellationToken).ConfigureAwait(false);
                }

                Apply(partition, records);
                records.Clear();
                Volatile.Write(ref _positions[partition], reader.Position);
                Interlocked.Exchange(ref _progress, NewSignal()).TrySetResult();
                if (System.Diagnostics.Stopwatch.GetElapsedTime(lastCheckpoint) >= _checkpointInterval)
                {
                    _state.Checkpoint(partition, reader.Position);
                    lastCheckpoint = System.Diagnostics.Stopwatch.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.Error(e, "Materializing table {Table} partition {Partition} failed", Table.Name, partition);
            throw;
        }
    }

    /// <summary>
    /// The table's own query appended offsets [first, first + count) of partition with records it encoded for this table:
    /// they are stored without being decoded (unless a subscriber or the window retention needs their rows).
    /// </summary>
    public void NoteOwnRecords(int partition, long first, int count) => _own[partition].Add(first, count);

    private void Apply(int partition, List<TopicRecord> records)
    {
        var store = _stores[partition]!;
        lock (_applyGate)
        {
            // Without subscribers (and window retention, which tracks every row's window) no one sees the changes within a
            // batch: each key's last record of the batch is its net effect.
            var latest = _subscribers.Count == 0 && _byWindowEnd is null ? _latest : null;
            latest?.Mark(records);
            for (var i = 0; i < records.Count; i++)
            {
                if (latest is not null && !latest.IsLatest(records, i))
                {
                    continue;
                }

                if (!ApplyOne(partition, store, records[i]) && latest is not null && records[i].Key is { } key)
                {
                    // The key's last record is bad: its earlier records of the batch apply in order, as they would one by one.
                    for (var j = 0; j < i; j++)
                    {
                        if (records[j].Key is { } other && ByteArrayComparer.Instance.Equals(other, key))
                        {
                            ApplyOne(partition, store, records[j]);
                        }
                    }
                }
            }

            ExpireWindows(partition, store);
        }
    }

    /// <summary>Applies one record; false when it was skipped as bad (no key, or a value that does not decode).</summary>
    private bool ApplyOne(int partition, IStateStore store, TopicRecord record)
    {
        if (record.Key is null)
        {
            Interlocked.Increment(ref _badRecords);
            return false;
        }

        // Asked for every record (in offset order), so that the ranges passed are dropped even when the answer is not used.
        var own = _own[partition].Contains(record.Offset);
        Value[]? after = null;
        if (record.Value is not null && (_subscribers.Count > 0 || _byWindowEnd is not null || !own))
        {
            after = new Value[_codec.RowWidth];
            if (!_codec.TryDecode(record, partition, after, out var error))
            {
                Interlocked.Increment(ref _badRecords);
                Log.Warning("Table {Table} skipped record {Partition}:{Offset}: {Error}", Table.Name, partition, record.Offset, error);
                return false;
            }
        }

        Value[]? before = null;
        bool? existed = null;
        if (_subscribers.Count > 0)
        {
            existed = store.TryGet(record.Key, out var old);
            if (old is not null)
            {
                before = Decode(old, partition, record.Key);
            }
        }

        if (record.Value is null)
        {
            if (!store.Delete(record.Key))
            {
                return true;
            }
        }
        else
        {
            // Whether the key was there is known when the old row was read for the subscribers: no second lookup.
            if (existed is { } known)
            {
                store.Put(record.Key, StoredRecord.Pack(record, ref _packed), known);
            }
            else
            {
                store.Put(record.Key, StoredRecord.Pack(record, ref _packed));
            }
            if (after is not null)
            {
                NoteWindow(partition, record.Key, after);
            }
        }

        if (_subscribers.Count > 0)
        {
            var change = new TableChange(before, after);
            foreach (var subscriber in _subscribers)
            {
                subscriber(change);
            }
        }

        return true;
    }

    private void NoteWindow(int partition, byte[] key, Value[] row)
    {
        if (Table.WindowRetention is not { } retention || row[retention.EndColumn].IsNull)
        {
            return;
        }

        var end = row[retention.EndColumn].AsLong;
        _byWindowEnd![partition].Enqueue(key, end);
        _latestWindowEnd![partition] = Math.Max(_latestWindowEnd[partition], end);
    }

    /// <summary>
    /// Deletes the rows of windows that ended more than RETENTION before the latest window end of the partition: storage
    /// expiry, like a window store's retention in Kafka Streams, so subscribers see no change for it.
    /// </summary>
    private void ExpireWindows(int partition, IStateStore store)
    {
        if (Table.WindowRetention is not { } retention)
        {
            return;
        }

        var queue = _byWindowEnd![partition];
        var horizon = _latestWindowEnd![partition] - retention.RetentionMicros;
        while (queue.TryPeek(out var key, out var end) && end < horizon)
        {
            queue.Dequeue();

            // The key may have been updated since (a session that grew) or deleted: only a row still ending there goes.
            if (store.TryGet(key, out var stored) && Decode(stored!, partition, key) is var row
                && !row[retention.EndColumn].IsNull && row[retention.EndColumn].AsLong == end)
            {
                store.Delete(key);
                Interlocked.Increment(ref _expiredRows);
            }
        }
    }

    /// <summary>Rows of a windowed table deleted after their RETENTION.</summary>
    public long ExpiredRows => Interlocked.Read(ref _expiredRows);

    private long _expiredRows;

    private Value[] Decode(ReadOnlySpan<byte> stored, int partition, byte[]? key = null)
    {
        var row = new Value[_codec.RowWidth];
        _codec.TryDecode(StoredRecord.Unpack(stored, key), partition, row, out _);
        return row;
    }

    private Value[] DecodeWithKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> stored, int partition) => Decode(stored, partition, key.ToArray());

    /// <summary>Waits until every partition has applied every record its topic held when called (starting the materialization if it has not started).</summary>
    public Task CatchUpAsync(CancellationToken cancellationToken)
    {
        Start();
        return CatchUpStartedAsync(cancellationToken);
    }

    private async Task CatchUpStartedAsync(CancellationToken cancellationToken)
    {
        var targets = new long[_positions.Length];
        for (var p = 0; p < targets.Length; p++)
        {
            targets[p] = _topic.EndOffset(p);
        }

        while (true)
        {
            var signal = Volatile.Read(ref _progress).Task;
            var done = true;
            for (var p = 0; p < targets.Length; p++)
            {
                done &= Volatile.Read(ref _positions[p]) >= targets[p];
            }

            if (done)
            {
                return;
            }

            if (_readers.Count > 0 && _readers.TrueForAll(r => r.IsCompleted))
            {
                throw new InvalidOperationException($"table \"{Table.Name}\" is not being materialized");
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    ValueTask Operators.ITableLookup.CatchUpAsync(CancellationToken cancellationToken) =>
        IsCaughtUp() ? ValueTask.CompletedTask : new ValueTask(CatchUpAsync(cancellationToken));

    /// <summary>True when every partition has applied its topic up to the current end.</summary>
    public bool IsCaughtUp()
    {
        for (var p = 0; p < _positions.Length; p++)
        {
            if (Volatile.Read(ref _positions[p]) < _topic.EndOffset(p))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Every current row (declared columns and pseudocolumns), partition by partition, as of this call: kept as stored
    /// bytes and decoded as they are read (once).
    /// </summary>
    public IEnumerable<Value[]> Snapshot() => Pack().Drain(DecodeWithKey);

    private PackedRows Pack()
    {
        var rows = new PackedRows();
        for (var p = 0; p < _stores.Length; p++)
        {
            var partition = p;
            _stores[p]?.Scan((key, value) =>
            {
                rows.Add(partition, key, value);
                return true;
            });
        }

        return rows;
    }

    /// <summary>The row of one key (a point lookup: no scan), or null.</summary>
    // The shared table follows its topic at processing time: it has only the current rows.
    Value[]? Operators.ITableLookup.Lookup(Value key, long time) => Lookup(key);

    public Value[]? Lookup(Value key)
    {
        if (Table.KeyIndex < 0 || key.IsNull)
        {
            return null;
        }

        var keyBytes = new KeyFormat(Table.KeyFormat, Table.Columns[Table.KeyIndex].Type).Serialize(key);
        if (keyBytes is null)
        {
            return null;
        }

        // Our writers partition by the key's hash; another producer may not have, so the other partitions are asked too.
        var hashed = Partitioner.ForKey(keyBytes, _stores.Length);
        for (var i = 0; i < _stores.Length; i++)
        {
            var partition = (hashed + i) % _stores.Length;
            if (_stores[partition] is { } store && store.TryGet(keyBytes, out var stored))
            {
                return DecodeWithKey(keyBytes, stored!, partition);
            }
        }

        return null;
    }

    /// <summary>Registers for every later change and returns the rows as of that moment, atomically; dispose to stop.</summary>
    public IDisposable Subscribe(Action<TableChange> onChange, out IEnumerable<Value[]> snapshot)
    {
        lock (_applyGate)
        {
            snapshot = Snapshot();
            _subscribers.Add(onChange);
        }

        return new Subscription(this, onChange);
    }

    private sealed class Subscription(TableState table, Action<TableChange> onChange) : IDisposable
    {
        public void Dispose()
        {
            lock (table._applyGate)
            {
                table._subscribers.Remove(onChange);
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_readers).ConfigureAwait(false);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }

        // A graceful stop checkpoints every partition at what it applied, so the next start reads nothing twice.
        for (var p = 0; p < _stores.Length; p++)
        {
            try
            {
                _state.Checkpoint(p, Volatile.Read(ref _positions[p]));
            }
            catch (Exception e)
            {
                Log.Warning(e, "Table {Table} could not checkpoint partition {Partition} at shutdown", Table.Name, p);
            }
        }

        _state.Dispose();
        _stop.Dispose();
    }
}
