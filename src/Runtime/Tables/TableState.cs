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
    private const int MaxBatch = 512;
    private readonly ITopicLog _topic;
    private readonly IStateStore[] _stores;
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
    private readonly long[] _restoredPositions;

    /// <param name="manifestDirectory">Where the partitions' checkpoint manifests live.</param>
    public TableState(StreamDefinition table, ITopicLog topic, IStateStoreProvider stores, string storeName, string manifestDirectory, TimeSpan checkpointInterval)
    {
        Table = table;
        _topic = topic;
        _codec = new RowCodec(table);
        _checkpointInterval = checkpointInterval;
        _state = new Queries.QueryState(stores, storeName, manifestDirectory);
        _stores = new IStateStore[topic.PartitionCount];
        _positions = new long[topic.PartitionCount];
        _restoredPositions = new long[topic.PartitionCount];
        for (var p = 0; p < _stores.Length; p++)
        {
            // The layout before checkpoints (rebuilt at every start) used these names.
            stores.Delete($"{storeName}/p{p}");
            _stores[p] = _state.Open(p, "rows");
            _restoredPositions[p] = _state.RestoredOffset(p) ?? topic.StartOffset(p);
            _replayedAtStart += Math.Max(0, topic.EndOffset(p) - _restoredPositions[p]);
        }
    }

    /// <summary>Changelog records the start had to apply beyond the restored checkpoints (0 after a graceful stop and restart).</summary>
    public long ReplayedAtStart => _replayedAtStart;

    private readonly long _replayedAtStart;

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
                count += store.Count;
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
                size += store.SizeBytes;
            }

            return size;
        }
    }

    public void Start()
    {
        for (var p = 0; p < _stores.Length; p++)
        {
            var partition = p;
            _readers.Add(Task.Run(() => ReadAsync(partition, _stop.Token)));
        }
    }

    private async Task ReadAsync(int partition, CancellationToken cancellationToken)
    {
        try
        {
            var from = _restoredPositions[partition];
            if (from > 0)
            {
                Log.Information("Table {Table} partition {Partition} restored from its checkpoint at offset {Offset}", Table.Name, partition, from);
            }

            using var reader = _topic.OpenReader(partition, from);
            Volatile.Write(ref _positions[partition], from);
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

    private void Apply(int partition, List<TopicRecord> records)
    {
        var store = _stores[partition];
        lock (_applyGate)
        {
            foreach (var record in records)
            {
                if (record.Key is null)
                {
                    Interlocked.Increment(ref _badRecords);
                    continue;
                }

                Value[]? after = null;
                if (record.Value is not null)
                {
                    after = new Value[_codec.RowWidth];
                    if (!_codec.TryDecode(record, partition, after, out var error))
                    {
                        Interlocked.Increment(ref _badRecords);
                        Log.Warning("Table {Table} skipped record {Partition}:{Offset}: {Error}", Table.Name, partition, record.Offset, error);
                        continue;
                    }
                }

                Value[]? before = null;
                if (_subscribers.Count > 0 && store.TryGet(record.Key, out var old))
                {
                    before = Decode(old!, partition, record.Key);
                }

                if (after is null)
                {
                    if (!store.Delete(record.Key))
                    {
                        continue;
                    }
                }
                else
                {
                    store.Put(record.Key, StoredRecord.Pack(record));
                }

                if (_subscribers.Count > 0)
                {
                    var change = new TableChange(before, after);
                    foreach (var subscriber in _subscribers)
                    {
                        subscriber(change);
                    }
                }
            }
        }
    }

    private Value[] Decode(ReadOnlySpan<byte> stored, int partition, byte[]? key = null)
    {
        var row = new Value[_codec.RowWidth];
        _codec.TryDecode(StoredRecord.Unpack(stored, key), partition, row, out _);
        return row;
    }

    private Value[] DecodeWithKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> stored, int partition) => Decode(stored, partition, key.ToArray());

    /// <summary>Waits until every partition has applied every record its topic held when called.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
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

    /// <summary>Every current row (declared columns and pseudocolumns), partition by partition.</summary>
    public List<Value[]> Snapshot()
    {
        var rows = new List<Value[]>();
        for (var p = 0; p < _stores.Length; p++)
        {
            var partition = p;
            _stores[p].Scan((key, value) =>
            {
                rows.Add(DecodeWithKey(key, value, partition));
                return true;
            });
        }

        return rows;
    }

    /// <summary>The row of one key (a point lookup: no scan), or null.</summary>
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
            if (_stores[partition].TryGet(keyBytes, out var stored))
            {
                return DecodeWithKey(keyBytes, stored!, partition);
            }
        }

        return null;
    }

    /// <summary>Registers for every later change and returns the rows as of that moment, atomically; dispose to stop.</summary>
    public IDisposable Subscribe(Action<TableChange> onChange, out List<Value[]> snapshot)
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
