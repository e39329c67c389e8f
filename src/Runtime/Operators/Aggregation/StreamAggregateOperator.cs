using System.Buffers;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// GROUP BY over an unbounded input, one instance per partition task, with its groups in a state store. Input rows are
/// inserts (a stream) or inserts and deletes (a table's changes, retracted from the aggregates). Output is a changelog
/// of the groups a batch touched: the group's new row (keys, aggregates, then the event time it was last updated at) or
/// a delete when the group emptied or fails HAVING.
/// Windowed: stream time is the largest event time seen; a window closes when stream time reaches its end plus grace,
/// rows for closed windows are dropped as late, and closed windows leave the state. EMIT FINAL emits a window's row
/// once, when it closes; EMIT CHANGES on every update, or, consolidated, once per batch with the group's row at its end.
/// </summary>
public sealed class StreamAggregateOperator : IAggregatesInParts, IWriteBehind
{
    /// <summary>Windowed groups kept in memory across batches, at most (beyond it they are saved and dropped).</summary>
    public const int MaxCachedGroups = 100_000;

    private readonly Func<Value[], Value>[] _keys;
    private readonly Func<Value[], Value>[][] _arguments;
    private readonly Func<IAccumulator>[] _factories;
    private readonly Func<Value[], bool>? _having;
    private readonly Func<Value[], Value>? _eventTime;
    private readonly AggregateWindow? _window;
    private readonly bool _emitFinal;
    private readonly bool _consolidate;
    private readonly bool _sendsRetractions;
    private readonly WindowAssignOperator? _windows;
    private readonly long[] _windowStarts = [];
    private readonly long[] _windowEnds = [];
    private Value[] _windowed = [];
    private readonly IStateStore _store;
    private readonly Action<long>? _onLate;
    // The groups the current batch touched, in the order it first touched them (its output's order, the same on a replay).
    // Not windowed, also by key; windowed, a group is found in the cache and marked with the batch's number instead: one
    // hash lookup less per group and batch (q5: a group per auction and window, most of them touched in one batch only).
    private readonly Dictionary<byte[], Group> _touched = new(ByteArrayComparer.Instance);
    private readonly List<Group> _touchedGroups = [];
    private long _batchNumber;
    // With count(DISTINCT ...), unwindowed: the groups of recent batches as saved, so a hot group's sets are not read
    // back and rebuilt from the store every batch (q16, nine sets per group: 82 K -> 134-153 K events/s; q15 343 K -> 446-460 K).
    // The store stays the truth (every batch still saves what it touched); this operator is its only writer. Other
    // groups are not kept: decoding a few numbers is cheap, and keeping many groups alive across batches made the
    // collections cost more than it saved (q17 860 K -> 686 K; q5's windowed groups, which die as windows close,
    // 334 K -> 308 K).
    private readonly RecentGroups<Group>? _recent;
    // Windowed: the open windows' groups stay in memory across batches and reach the store only at a checkpoint (or when
    // there are too many): most groups of a short window are created, updated and closed between two checkpoints, and
    // then never cost a store read, write or delete (q5: 5 windows per bid). The store is saved to before each checkpoint
    // (IWriteBehind), so a checkpoint still holds the state as of its offset.
    // The cache is kept per open window (see WindowGroups), so closing a window drops its groups with it rather than
    // removing each from one large dictionary (q5: a cold hash lookup per closed group).
    private readonly bool _caches;
    private int _cachedCount;
    // Cached groups not in the store (read by other threads for the store's Count).
    private long _unsaved;
    // The cached groups the current batch changes, with their state before it (offset into _undo; -1: new to the cache):
    // a batch that fails part-way (an expression error) is redone row by row, and must find the groups as they were.
    private readonly List<(byte[] Key, Group Group, int Offset, Value[]? Output)> _undoGroups = [];
    private readonly ArrayBufferWriter<byte> _undo = new(1024);
    // Cached: the ends of the open windows that have groups in the store; a new key of any other window is not looked up there.
    private readonly HashSet<long>? _windowsInStore;
    // Cached groups whose window closed, reused for new groups (the object, its key array and accumulator array): a
    // window's groups live a few batches, long enough for a collection to promote them, and then died in gen1 (q5: gen0
    // and gen1 collections promoting 14-21 MB each, 70-100 ms apiece). Closed ones wait in _closedGroups until the
    // batch's own references to them (touched groups, slices) are dropped.
    private const int MaxFreeGroups = 1 << 16;
    private readonly Stack<Group> _freeGroups = new();
    private readonly List<Group> _closedGroups = [];
    private readonly List<(Value[] Row, ChangeOp Op)> _input = [];
    // Open windows by end, with their groups, so closing them as stream time passes does not scan the state.
    private readonly SortedDictionary<long, WindowGroups> _openWindows = [];
    private readonly Stack<WindowGroups> _freeWindows = new();
    // The open window of the last group looked up: a batch's groups fall in a few windows.
    private WindowGroups? _lastOpenWindow;
    private long _lastOpenWindowEnd;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private long _streamTime = long.MinValue;

    // Per input row without allocating: the key's values and bytes, and each aggregate's arguments (accumulators copy what they keep).
    private readonly Value[] _keyValues;
    private readonly ArrayBufferWriter<byte> _keyBytes = new(64);
    private readonly Dictionary<byte[], Group>.AlternateLookup<ReadOnlySpan<byte>> _touchedByBytes;
    private readonly Value[][] _argumentValues;

    // Fixed windows grouped by both bounds and other keys that do not read them (HOP ... GROUP BY auction, window_start,
    // window_end): the indexes of those other keys. Rows of a batch with the same other keys whose times fall in the same
    // windows (a slice) go to the same groups, found once per batch by the slice instead of per row and window: a HOP of
    // 5 windows encoded and looked up 5 keys per row.
    private readonly int[]? _sliceKeys;
    private readonly Value[] _sliceKeyValues = [];
    private readonly Dictionary<byte[], Group?[]> _slices = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], Group?[]>.AlternateLookup<ReadOnlySpan<byte>> _slicesByBytes;

    // Sliced, output once per batch (consolidated or EMIT FINAL), every aggregate order-insensitive and mergeable, and no
    // argument reading the window bounds: a slice's rows are first aggregated on their own, then merged into each of the
    // slice's window groups at the end of the batch (q5's HOP: one accumulation per bid instead of one per window). The
    // rows a slice takes are late for the same windows (the mask is part of its key), so each group gets what it would
    // have row by row; groups are touched in the order the slices were met, the order of their first rows.
    private readonly bool _preAggregates;
    private readonly int[] _sliceKeyOf = [];
    private readonly Dictionary<byte[], SliceAggregate> _sliceAggregates = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], SliceAggregate>.AlternateLookup<ReadOnlySpan<byte>> _sliceAggregatesByBytes;
    private readonly List<SliceAggregate> _sliceAggregateOrder = [];
    private readonly Stack<SliceAggregate> _freeSliceAggregates = new();

    /// <param name="having">HAVING over the aggregate's output row; a group that fails it is deleted from the output.</param>
    /// <param name="eventTime">The event time of an input row (windowed aggregates); null for unwindowed ones.</param>
    /// <param name="consolidate">EMIT CHANGES once per group and batch (its row after the batch) rather than per input row.</param>
    /// <param name="sendsRetractions">
    /// The output feeds another aggregation (in the same pipeline): an update is the group's previous row (UpdateBefore)
    /// then its new one, and a delete carries the previous row, so the aggregation above can take the old values out.
    /// </param>
    /// <param name="windows">
    /// The window assignment feeding this aggregation, done here: each input row is taken once per window it falls in,
    /// through one reused row with the window bounds appended, rather than as a copy per window.
    /// </param>
    public StreamAggregateOperator(LogicalAggregate aggregate, Func<Value[], Value>[] keys, Func<Value[], Value>[][] arguments, Func<Value[], bool>? having,
        Func<Value[], Value>? eventTime, bool emitFinal, bool retractable, IStateStore store, Action<long>? onLate, bool consolidate = false,
        WindowAssignOperator? windows = null, bool sendsRetractions = false)
    {
        _sendsRetractions = sendsRetractions;
        _consolidate = consolidate;
        _windows = windows;
        if (windows is not null)
        {
            _windowStarts = new long[windows.MaxWindows];
            _windowEnds = new long[windows.MaxWindows];
        }

        _keys = keys;
        _arguments = arguments;
        _factories = aggregate.Aggregates.Select(a => Accumulators.Factory(a, retractable)).ToArray();
        _having = having;
        _eventTime = eventTime;
        _window = aggregate.Window;
        _emitFinal = emitFinal && _window is not null;
        _store = store;
        _onLate = onLate;
        _keyValues = new Value[keys.Length];
        _lastKey = new Value[keys.Length];
        _touchedByBytes = _touched.GetAlternateLookup<ReadOnlySpan<byte>>();
        _slicesByBytes = _slices.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (windows is not null && _window is not null && aggregate.Input is LogicalWindowAssign assign)
        {
            var others = Enumerable.Range(0, keys.Length).Where(k => k != _window.StartKey && k != _window.EndKey).ToArray();
            if (!BoundExpressionRewriter.ReadsColumnFrom(others.Select(k => aggregate.Keys[k]), assign.StartIndex))
            {
                _sliceKeys = others;
                _sliceKeyValues = new Value[others.Length];
                _preAggregates = (consolidate || _emitFinal) && windows.MaxWindows <= 64
                    && _factories.All(factory => factory().CanMerge)
                    && !BoundExpressionRewriter.ReadsColumnFrom(aggregate.Aggregates.SelectMany(a => a.Arguments), assign.StartIndex);
                _sliceKeyOf = new int[keys.Length];
                for (var i = 0; i < others.Length; i++)
                {
                    _sliceKeyOf[others[i]] = i;
                }
            }
        }

        _sliceAggregatesByBytes = _sliceAggregates.GetAlternateLookup<ReadOnlySpan<byte>>();

        _recent = _window is null && aggregate.Aggregates.Any(a => a.Distinct) ? new RecentGroups<Group>() : null;
        _argumentValues = new Value[arguments.Length][];
        for (var a = 0; a < arguments.Length; a++)
        {
            _argumentValues[a] = new Value[arguments[a].Length];
        }

        if (_window is not null)
        {
            RestoreOpenWindows();
            _caches = true;
            _windowsInStore = [.. _openWindows.Keys];
            store.Attach(this);
        }

        _streamTime = StreamTimeState.Load(store, _streamTime);
    }

    /// <summary>Rows dropped because their window had closed.</summary>
    public long LateRecords { get; private set; }

    public long StreamTime => _streamTime;

    /// <summary>The output depends on where batches end (consolidated EMIT CHANGES): a replay must read the same batches.</summary>
    public bool ConsolidatesOutput => _consolidate && !_emitFinal;

    public void Process(RowBatch batch)
    {
        _input.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            _input.Add((batch.Row(i), batch.Op(i)));
        }

        batch.Clear();
        BeginBatch();
        foreach (var (input, op) in _input)
        {
            Take(batch, input, op);
        }

        EndBatch(batch);
    }

    public void BeginBatch()
    {
        if (_undoGroups.Count > 0)
        {
            // The previous batch failed part-way.
            RollBack();
        }

        _touched.Clear();
        _touchedGroups.Clear();
        _batchNumber++;
        _slices.Clear();
        ClearSliceAggregates();
        _lastGroup = null;
        _batchStreamTime = _streamTime;
    }

    // Keys, arguments and window bounds are copied out of each input row (accumulators copy what they keep).
    public bool KeepsInputRows => false;

    public void Accumulate(RowBatch input, RowBatch output)
    {
        for (var i = 0; i < input.Count; i++)
        {
            Take(output, input.Row(i), input.Op(i));
        }
    }

    public void EndBatch(RowBatch output)
    {
        MergeSliceAggregates();
        FinishBatch(output, _batchStreamTime);
    }

    // Stream time as of the rows taken so far in the current batch (saved when the batch ends).
    private long _batchStreamTime = long.MinValue;

    /// <summary>One input row: into its group, or, windowed, into each window it falls in.</summary>
    private void Take(RowBatch output, Value[] input, ChangeOp op)
    {
        if (_windows is null)
        {
            Aggregate(output, input, op, ref _batchStreamTime);
            return;
        }

        var time = _windows.TimeOf(input);
        if (time.IsNull)
        {
            return;
        }

        if (_preAggregates)
        {
            if (op is ChangeOp.Insert or ChangeOp.UpdateAfter)
            {
                PreAggregate(input, time.AsLong);
                return;
            }

            // A retraction goes to its groups row by row, after what the slices took so far (the groups' order stays that
            // of the rows).
            MergeSliceAggregates();
        }

        // The input row with its window's bounds appended, reused: keys and arguments are copied out of it.
        if (_windowed.Length != input.Length + 2)
        {
            _windowed = new Value[input.Length + 2];
        }

        input.AsSpan().CopyTo(_windowed);
        var count = _windows.WindowsOf(time.AsLong, _windowStarts, _windowEnds);
        if (_sliceKeys is not null)
        {
            TakeSlice(output, op, time.AsLong, count);
            return;
        }

        for (var w = 0; w < count; w++)
        {
            _windowed[^2] = Value.FromTimestamp(_windowStarts[w]);
            _windowed[^1] = Value.FromTimestamp(_windowEnds[w]);
            Aggregate(output, _windowed, op, ref _batchStreamTime);
        }
    }

    /// <summary>The row in _windowed into each of its count windows, through the groups of its slice.</summary>
    private void TakeSlice(RowBatch output, ChangeOp op, long eventTime, int count)
    {
        WriteSliceKey(_windowed, count);
        if (!_slicesByBytes.TryGetValue(_keyBytes.WrittenSpan, out var groups))
        {
            groups = new Group?[count];
            _slices[_keyBytes.WrittenSpan.ToArray()] = groups;
        }

        for (var w = 0; w < count; w++)
        {
            // The window's time is the row's: the aggregation's event time (the same expression as the assignment's).
            if (IsLate(_windowEnds[w], eventTime, op, ref _batchStreamTime))
            {
                continue;
            }

            _windowed[^2] = Value.FromTimestamp(_windowStarts[w]);
            _windowed[^1] = Value.FromTimestamp(_windowEnds[w]);
            var group = groups[w];
            if (group is null)
            {
                var key = _keyValues;
                for (var k = 0; k < key.Length; k++)
                {
                    key[k] = _keys[k](_windowed);
                }

                groups[w] = group = Touch(key);
            }

            Accumulate(output, group, _windowed, op, eventTime);
        }
    }

    /// <summary>
    /// A row's slice into _keyBytes: the other keys' values (also left in _sliceKeyValues) and its windows (the first one's
    /// bounds and how many determine them all).
    /// </summary>
    private void WriteSliceKey(Value[] row, int count)
    {
        var values = _sliceKeyValues;
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = _keys[_sliceKeys![k]](row);
        }

        _keyBytes.ResetWrittenCount();
        ValueCodec.WriteKey(_keyBytes, values);
        _keyBytes.WriteInt64(_windowStarts[0]);
        _keyBytes.WriteInt64(_windowEnds[0]);
        _keyBytes.WriteInt64(count);
    }

    /// <summary>Aggregate a's arguments for a row, in a reused array (accumulators copy what they keep).</summary>
    private Value[] ArgumentsOf(int a, Value[] row)
    {
        var argumentFunctions = _arguments[a];
        var arguments = _argumentValues[a];
        for (var x = 0; x < arguments.Length; x++)
        {
            arguments[x] = argumentFunctions[x](row);
        }

        return arguments;
    }

    /// <summary>An inserted row into its slice's own aggregates (see _preAggregates); its groups get them when the batch ends.</summary>
    private void PreAggregate(Value[] input, long eventTime)
    {
        var count = _windows!.WindowsOf(eventTime, _windowStarts, _windowEnds);
        _batchStreamTime = Math.Max(_batchStreamTime, eventTime);
        ulong late = 0;
        for (var w = 0; w < count; w++)
        {
            if (_windowEnds[w] + _window!.GraceMicros <= _batchStreamTime)
            {
                late |= 1UL << w;
                LateRecords++;
                _onLate?.Invoke(1);
            }
        }

        if (count == 0 || late == ulong.MaxValue >> (64 - count))
        {
            return;
        }

        // Neither slice keys nor arguments read the window bounds: both are evaluated on the input row itself.
        WriteSliceKey(input, count);
        _keyBytes.WriteInt64((long)late);
        if (!_sliceAggregatesByBytes.TryGetValue(_keyBytes.WrittenSpan, out var slice))
        {
            slice = NewSliceAggregate(_sliceKeyValues, count, late);
            _sliceAggregates[_keyBytes.WrittenSpan.ToArray()] = slice;
            _sliceAggregateOrder.Add(slice);
        }

        for (var a = 0; a < slice.Partials.Length; a++)
        {
            slice.Partials[a].Add(ArgumentsOf(a, input));
        }

        slice.Rows++;
        slice.EventTime = Math.Max(slice.EventTime, eventTime);
    }

    private SliceAggregate NewSliceAggregate(Value[] values, int count, ulong late)
    {
        if (!_freeSliceAggregates.TryPop(out var slice))
        {
            slice = new SliceAggregate(new Value[values.Length], new long[_windowStarts.Length], new long[_windowEnds.Length], new IAccumulator[_factories.Length]);
            for (var a = 0; a < slice.Partials.Length; a++)
            {
                slice.Partials[a] = _factories[a]();
            }
        }
        else
        {
            for (var a = 0; a < slice.Partials.Length; a++)
            {
                if (!slice.Partials[a].TryReset())
                {
                    slice.Partials[a] = _factories[a]();
                }
            }
        }

        values.AsSpan().CopyTo(slice.Values);
        Array.Copy(_windowStarts, slice.Starts, count);
        Array.Copy(_windowEnds, slice.Ends, count);
        slice.Count = count;
        slice.Late = late;
        slice.Rows = 0;
        slice.EventTime = long.MinValue;
        return slice;
    }

    /// <summary>The slices' aggregates into their window groups, in the order the slices were met; the slices are then reused.</summary>
    private void MergeSliceAggregates()
    {
        var key = _keyValues;
        foreach (var slice in _sliceAggregateOrder)
        {
            for (var w = 0; w < slice.Count; w++)
            {
                if ((slice.Late & (1UL << w)) != 0)
                {
                    continue;
                }

                for (var k = 0; k < key.Length; k++)
                {
                    key[k] = k == _window!.StartKey ? Value.FromTimestamp(slice.Starts[w])
                        : k == _window.EndKey ? Value.FromTimestamp(slice.Ends[w])
                        : slice.Values[_sliceKeyOf[k]];
                }

                // Each of a slice's windows is another group: not worth Touch's comparison with the previous key.
                var group = TouchByBytes(key);
                for (var a = 0; a < slice.Partials.Length; a++)
                {
                    group.Accumulators[a].Merge(slice.Partials[a]);
                }

                group.Rows += slice.Rows;
                group.EventTime = Math.Max(group.EventTime, slice.EventTime);
            }

            _freeSliceAggregates.Push(slice);
        }

        _sliceAggregateOrder.Clear();
        _sliceAggregates.Clear();
    }

    private void ClearSliceAggregates()
    {
        foreach (var slice in _sliceAggregateOrder)
        {
            _freeSliceAggregates.Push(slice);
        }

        _sliceAggregateOrder.Clear();
        _sliceAggregates.Clear();
    }

    /// <summary>Windowed: whether a row's window has closed (counted as late); an insert's time moves stream time first.</summary>
    private bool IsLate(long windowEnd, long eventTime, ChangeOp op, ref long streamTime)
    {
        if (op != ChangeOp.Delete && op != ChangeOp.UpdateBefore)
        {
            streamTime = Math.Max(streamTime, eventTime);
        }

        if (windowEnd + _window!.GraceMicros <= streamTime)
        {
            LateRecords++;
            _onLate?.Invoke(1);
            return true;
        }

        return false;
    }

    /// <summary>Adds (or retracts) one input row to its group.</summary>
    private void Aggregate(RowBatch batch, Value[] row, ChangeOp op, ref long streamTime)
    {
        var key = _keyValues;
        for (var k = 0; k < key.Length; k++)
        {
            key[k] = _keys[k](row);
        }

        long eventTime = 0;
        if (_window is null)
        {
            // Not windowed: the input's ROWTIME, only to stamp the output record.
            if (_eventTime?.Invoke(row) is { IsNull: false } rowTime)
            {
                eventTime = rowTime.AsLong;
            }
        }
        else
        {
            var t = _eventTime!(row);
            eventTime = t.IsNull ? long.MinValue : t.AsLong;
            if (IsLate(key[_window.EndKey].AsLong, eventTime, op, ref streamTime))
            {
                return;
            }
        }

        Accumulate(batch, Touch(key), row, op, eventTime);
    }

    /// <summary>Adds (or retracts) a row's arguments to its group's aggregates.</summary>
    private void Accumulate(RowBatch batch, Group group, Value[] row, ChangeOp op, long eventTime)
    {
        for (var a = 0; a < group.Accumulators.Length; a++)
        {
            var arguments = ArgumentsOf(a, row);
            if (op is ChangeOp.Delete or ChangeOp.UpdateBefore)
            {
                group.Accumulators[a].Remove(arguments);
            }
            else
            {
                group.Accumulators[a].Add(arguments);
            }
        }

        group.Rows += op is ChangeOp.Delete or ChangeOp.UpdateBefore ? -1 : 1;
        group.EventTime = Math.Max(group.EventTime, eventTime);
        if (!_emitFinal && !_consolidate)
        {
            // EMIT CHANGES: every update of a group is output, in input order, whatever the batch boundaries.
            Emit(batch, group);
        }
    }

    private void FinishBatch(RowBatch batch, long streamTime)
    {
        if (!_emitFinal && _consolidate)
        {
            // First, as HAVING may fail: nothing of the batch is saved yet, so it can be redone row by row.
            foreach (var group in _touchedGroups)
            {
                // In the order groups were first touched (the dictionary only grew during the batch): the same on a replay.
                Emit(batch, group);
            }
        }

        foreach (var group in _touchedGroups)
        {
            var stateKey = group.StateKey;
            if (group.Rows <= 0 && _keys.Length > 0)
            {
                Forget(stateKey, group);
                continue;
            }

            if (_caches)
            {
                group.Unsaved = true;
                continue;
            }

            var savedBytes = Save(stateKey, group);
            _recent?.Keep(stateKey, group, savedBytes);
        }

        _undoGroups.Clear();
        _undo.ResetWrittenCount();
        if (_caches && _cachedCount > MaxCachedGroups)
        {
            SaveUnsaved();
            foreach (var (_, window) in _openWindows)
            {
                window.DropCache();
            }

            _cachedCount = 0;
        }

        if (streamTime != _streamTime)
        {
            _streamTime = streamTime;
            StreamTimeState.Save(_store, streamTime);
        }

        if (_window is not null)
        {
            CloseWindows(batch);
        }

        // Not kept until the next batch: the task's output wait would otherwise keep the input rows and groups alive.
        _input.Clear();
        _touched.Clear();
        _touchedGroups.Clear();
        _slices.Clear();
        _lastGroup = null;
        foreach (var closed in _closedGroups)
        {
            if (_freeGroups.Count < MaxFreeGroups)
            {
                _freeGroups.Push(closed);
            }
        }

        _closedGroups.Clear();
    }

    /// <summary>The group of a key (values in a reused array, copied when the group is first touched in the batch).</summary>
    private Group Touch(Value[] keyValues)
    {
        // Rows of one group often come in a row (a window's rows when grouping by the window alone): no encoding or lookup.
        if (_lastGroup is not null && SameKey(keyValues, _lastKey))
        {
            return _lastGroup;
        }

        _lastGroup = TouchByBytes(keyValues);
        keyValues.AsSpan().CopyTo(_lastKey);
        return _lastGroup;
    }

    private static bool SameKey(Value[] a, Value[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (!a[i].IsIdenticalTo(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    // The group the previous row went to in this batch, and its key values (cleared when the batch's groups are).
    private Group? _lastGroup;
    private readonly Value[] _lastKey;

    private Group TouchByBytes(Value[] keyValues)
    {
        _keyBytes.ResetWrittenCount();
        ValueCodec.WriteKey(_keyBytes, keyValues);
        Group? group;
        WindowGroups? window = null;
        if (!_caches)
        {
            if (_touchedByBytes.TryGetValue(_keyBytes.WrittenSpan, out group))
            {
                return group;
            }

            if (_recent is not null && _recent.TryTake(_keyBytes.WrittenSpan, out var recentKey, out group))
            {
                group.StateKey = recentKey;
                _touched[recentKey] = group;
                _touchedGroups.Add(group);
                return group;
            }
        }
        else if ((window = OpenWindow(keyValues[_window!.EndKey].AsLong)).CachedByBytes.TryGetValue(_keyBytes.WrittenSpan, out group))
        {
            if (group.Batch == _batchNumber)
            {
                return group;
            }

            group.Batch = _batchNumber;
            _undoGroups.Add((group.StateKey, group, _undo.WrittenCount, group.Output));
            _undo.WriteInt64(group.HasOutput ? 1 : 0);
            _undo.WriteInt64(group.Unsaved ? 1 : 0);
            _undo.WriteInt64(group.Rows);
            _undo.WriteInt64(group.EventTime);

            // Not the key: a batch never changes a group's key.
            foreach (var accumulator in group.Accumulators)
            {
                accumulator.Save(_undo);
            }

            _touchedGroups.Add(group);
            return group;
        }

        group = NewGroup(keyValues, _keyBytes.WrittenSpan);
        var stateKey = group.StateKey;
        var accumulators = group.Accumulators;
        if (MayBeStored(keyValues) && _store.TryGet(stateKey, out var stored))
        {
            var reader = new StateReader(stored!);
            group.Rows = reader.ReadInt64();
            group.EventTime = reader.ReadInt64();
            group.Key = ValueCodec.ReadRow(ref reader);
            foreach (var accumulator in accumulators)
            {
                accumulator.Load(ref reader);
            }

            // A stored group's key is in its window's stored keys (restored at start, or when the cache was dropped).
            group.InStore = true;
            var output = OutputRow(group);
            group.HasOutput = _having is null || _having(output);
            if (_sendsRetractions && group.HasOutput)
            {
                group.Output = output;
            }
        }
        else
        {
            group.EventTime = long.MinValue;
        }

        _touchedGroups.Add(group);
        if (window is null)
        {
            _touched[stateKey] = group;
        }
        else
        {
            group.Batch = _batchNumber;
            window.Cached[stateKey] = group;
            _cachedCount++;
            _undoGroups.Add((stateKey, group, -1, null));
            if (!group.InStore)
            {
                Interlocked.Increment(ref _unsaved);
            }
        }

        return group;
    }

    /// <summary>
    /// A group with fresh (or reset) accumulators for a key (values and bytes copied): a closed window's group reused (and
    /// its key's array, when the same length), else a new one.
    /// </summary>
    private Group NewGroup(Value[] keyValues, ReadOnlySpan<byte> stateKey)
    {
        if (_freeGroups.TryPop(out var group))
        {
            keyValues.AsSpan().CopyTo(group.Key);
            group.Reset();
            if (group.StateKey.Length == stateKey.Length)
            {
                stateKey.CopyTo(group.StateKey);
            }
            else
            {
                group.StateKey = stateKey.ToArray();
            }

            // Its accumulators too, where they can be reset: a new one in an old group would be promoted again.
            for (var a = 0; a < group.Accumulators.Length; a++)
            {
                if (!group.Accumulators[a].TryReset())
                {
                    group.Accumulators[a] = _factories[a]();
                }
            }

            return group;
        }

        group = new Group((Value[])keyValues.Clone(), new IAccumulator[_factories.Length]) { StateKey = stateKey.ToArray() };
        for (var a = 0; a < group.Accumulators.Length; a++)
        {
            group.Accumulators[a] = _factories[a]();
        }

        return group;
    }

    /// <summary>Writes the group to the store; returns the size of its saved state.</summary>
    private int Save(byte[] stateKey, Group group)
    {
        _buffer.ResetWrittenCount();
        Write(_buffer, group);
        _store.Put(stateKey, _buffer.WrittenSpan, group.InStore);
        group.InStore = true;
        _windowsInStore?.Add(group.Key[_window!.EndKey].AsLong);
        return _buffer.WrittenCount;
    }

    private bool MayBeStored(Value[] keyValues) => _windowsInStore is null || _windowsInStore.Contains(keyValues[_window!.EndKey].AsLong);

    private static void Write(ArrayBufferWriter<byte> buffer, Group group)
    {
        buffer.WriteInt64(group.Rows);
        buffer.WriteInt64(group.EventTime);
        ValueCodec.WriteRow(buffer, group.Key);
        foreach (var accumulator in group.Accumulators)
        {
            accumulator.Save(buffer);
        }
    }

    /// <summary>Puts the cached groups a failed batch changed back as they were before it.</summary>
    private void RollBack()
    {
        foreach (var (stateKey, group, offset, output) in _undoGroups)
        {
            if (offset < 0)
            {
                // New to the cache in the failed batch: the store has it as it was, or not at all.
                Uncache(stateKey, group);
                continue;
            }

            var reader = new StateReader(_undo.WrittenSpan[offset..]);
            group.Output = output;
            group.HasOutput = reader.ReadInt64() == 1;
            group.Unsaved = reader.ReadInt64() == 1;
            group.Rows = reader.ReadInt64();
            group.EventTime = reader.ReadInt64();
            for (var a = 0; a < group.Accumulators.Length; a++)
            {
                group.Accumulators[a] = _factories[a]();
                group.Accumulators[a].Load(ref reader);
            }
        }

        _undoGroups.Clear();
        _undo.ResetWrittenCount();
    }

    public long UnsavedEntries => Interlocked.Read(ref _unsaved);

    /// <summary>Saves the cached groups changed since they were last saved (before a checkpoint, or to drop the cache).</summary>
    public void SaveUnsaved()
    {
        if (!_caches)
        {
            return;
        }

        if (_undoGroups.Count > 0)
        {
            // A batch failed part-way and was not redone yet (its redo rolls it back first): a checkpoint now must not
            // save what it half did.
            RollBack();
        }

        foreach (var (_, window) in _openWindows)
        {
            foreach (var (stateKey, group) in window.Cached)
            {
                if (group.Unsaved)
                {
                    var wasInStore = group.InStore;
                    Save(stateKey, group);
                    group.Unsaved = false;
                    if (!wasInStore)
                    {
                        Interlocked.Decrement(ref _unsaved);
                    }
                }
            }
        }
    }

    /// <summary>A group that emptied or whose window closed leaves the cache and the store.</summary>
    private void Forget(byte[] stateKey, Group group)
    {
        if (_caches)
        {
            Uncache(stateKey, group);
        }

        if (group.InStore)
        {
            _store.DeleteExisting(stateKey);
        }
    }

    /// <summary>Takes a group out of its window's cache.</summary>
    private void Uncache(byte[] stateKey, Group group)
    {
        if (!_openWindows.TryGetValue(group.Key[_window!.EndKey].AsLong, out var window) || !window.Cached.Remove(stateKey))
        {
            return;
        }

        _cachedCount--;
        if (!group.InStore)
        {
            Interlocked.Decrement(ref _unsaved);
        }
    }

    private void Emit(RowBatch batch, Group group)
    {
        var row = OutputRow(group);
        if (group.Rows > 0 && (_having is null || _having(row)))
        {
            if (group.HasOutput && _sendsRetractions)
            {
                batch.Add(group.Output!, ChangeOp.UpdateBefore);
            }

            batch.Add(row, group.HasOutput ? ChangeOp.UpdateAfter : ChangeOp.Insert);
            group.HasOutput = true;
            if (_sendsRetractions)
            {
                group.Output = row;
            }
        }
        else if (group.HasOutput)
        {
            // The group emptied (retractions) or no longer passes HAVING: its output row goes away.
            batch.Add(_sendsRetractions ? group.Output! : row, ChangeOp.Delete);
            group.HasOutput = false;
            group.Output = null;
        }
    }

    private static Value[] OutputRow(Group group)
    {
        var row = new Value[group.Key.Length + group.Accumulators.Length + 1];
        group.Key.AsSpan().CopyTo(row);
        for (var a = 0; a < group.Accumulators.Length; a++)
        {
            row[group.Key.Length + a] = group.Accumulators[a].Result();
        }

        row[^1] = Value.FromTimestamp(group.EventTime == long.MinValue ? 0 : group.EventTime);
        return row;
    }

    /// <summary>Windows whose end plus grace stream time has reached take no more rows: emit them (EMIT FINAL) and drop their state.</summary>
    private void CloseWindows(RowBatch batch)
    {
        while (_openWindows.Count > 0)
        {
            var (end, window) = _openWindows.First();
            if (end + _window!.GraceMicros > _streamTime)
            {
                return;
            }

            _openWindows.Remove(end);
            _windowsInStore?.Remove(end);
            if (ReferenceEquals(window, _lastOpenWindow))
            {
                _lastOpenWindow = null;
            }

            // The keys in the store first (restored, or dropped from the cache: the older groups), then the cached rest.
            foreach (var stateKey in window.StoredKeys)
            {
                if (window.Cached.Remove(stateKey, out var cached))
                {
                    Close(batch, stateKey, cached);
                    continue;
                }

                if (!_store.TryGet(stateKey, out var stored))
                {
                    continue;
                }

                if (_emitFinal)
                {
                    var group = Load(stored!);
                    if (group.Rows > 0 && (_having is null || _having(OutputRow(group))))
                    {
                        batch.Add(OutputRow(group), ChangeOp.Insert);
                    }
                }

                _store.Delete(stateKey);
            }

            foreach (var (stateKey, cached) in window.Cached)
            {
                Close(batch, stateKey, cached);
            }

            window.Cached.Clear();
            window.StoredKeys.Clear();
            _freeWindows.Push(window);
        }
    }

    /// <summary>A cached group whose window closed: emitted (EMIT FINAL), out of the store, and kept for reuse.</summary>
    private void Close(RowBatch batch, byte[] stateKey, Group cached)
    {
        if (_emitFinal && cached.Rows > 0 && (_having is null || _having(OutputRow(cached))))
        {
            batch.Add(OutputRow(cached), ChangeOp.Insert);
        }

        if (cached.InStore)
        {
            _store.DeleteExisting(stateKey);
        }
        else
        {
            Interlocked.Decrement(ref _unsaved);
        }

        _cachedCount--;
        _closedGroups.Add(cached);
    }

    private Group Load(byte[] stored)
    {
        var accumulators = new IAccumulator[_factories.Length];
        for (var a = 0; a < accumulators.Length; a++)
        {
            accumulators[a] = _factories[a]();
        }

        var reader = new StateReader(stored);
        var rows = reader.ReadInt64();
        var eventTime = reader.ReadInt64();
        var key = ValueCodec.ReadRow(ref reader);
        foreach (var accumulator in accumulators)
        {
            accumulator.Load(ref reader);
        }

        return new Group(key, accumulators) { Rows = rows, EventTime = eventTime, InStore = true };
    }

    /// <summary>The groups of the open window that ends at end (none yet if it was not open).</summary>
    private WindowGroups OpenWindow(long end)
    {
        if (_lastOpenWindow is not null && _lastOpenWindowEnd == end)
        {
            return _lastOpenWindow;
        }

        if (!_openWindows.TryGetValue(end, out var window))
        {
            _openWindows[end] = window = _freeWindows.TryPop(out var free) ? free : new WindowGroups();
        }

        _lastOpenWindow = window;
        _lastOpenWindowEnd = end;
        return window;
    }

    private void RestoreOpenWindows()
    {
        var entries = new List<(byte[] Key, byte[] Value)>();
        _store.Scan((key, value) =>
        {
            if (!StreamTimeState.IsKey(key))
            {
                entries.Add((key.ToArray(), value.ToArray()));
            }

            return true;
        });
        foreach (var (key, value) in entries)
        {
            var group = Load(value);
            OpenWindow(group.Key[_window!.EndKey].AsLong).StoredKeys.Add(key);
            _streamTime = Math.Max(_streamTime, group.EventTime);
        }
    }

    /// <summary>A slice's rows of the current batch, aggregated on their own: its other keys' values, windows, and which of those the rows were late for.</summary>
    private sealed class SliceAggregate(Value[] values, long[] starts, long[] ends, IAccumulator[] partials)
    {
        public Value[] Values { get; } = values;

        public long[] Starts { get; } = starts;

        public long[] Ends { get; } = ends;

        public IAccumulator[] Partials { get; } = partials;

        public int Count { get; set; }

        public ulong Late { get; set; }

        public long Rows { get; set; }

        public long EventTime { get; set; }
    }

    /// <summary>
    /// An open window's groups: those in the cache, by state key, and the state keys of those in the store that may not
    /// be (restored at start, or dropped from the cache when it grew too large). A key may be in both.
    /// </summary>
    private sealed class WindowGroups
    {
        public WindowGroups() => CachedByBytes = Cached.GetAlternateLookup<ReadOnlySpan<byte>>();

        public Dictionary<byte[], Group> Cached { get; } = new(ByteArrayComparer.Instance);

        public Dictionary<byte[], Group>.AlternateLookup<ReadOnlySpan<byte>> CachedByBytes { get; }

        public List<byte[]> StoredKeys { get; } = [];

        /// <summary>Drops the cached groups (saved, or closed): their keys stay listed only if in the store.</summary>
        public void DropCache()
        {
            foreach (var (stateKey, group) in Cached)
            {
                if (group.InStore)
                {
                    StoredKeys.Add(stateKey);
                }
            }

            Cached.Clear();
        }
    }

    private sealed class Group(Value[] key, IAccumulator[] accumulators)
    {
        public Value[] Key { get; set; } = key;

        public IAccumulator[] Accumulators { get; } = accumulators;

        /// <summary>The key's encoding: the group's key in the store and in this operator's dictionaries.</summary>
        public byte[] StateKey { get; set; } = [];

        /// <summary>Windowed: the number of the last batch that touched the group.</summary>
        public long Batch { get; set; }

        public long Rows { get; set; }

        public long EventTime { get; set; }

        /// <summary>The store has an entry for the group (saved since it was created, or restored).</summary>
        public bool InStore { get; set; }

        /// <summary>Cached: changed since it was last saved.</summary>
        public bool Unsaved { get; set; }


        /// <summary>The group's output row exists downstream (it was emitted and not deleted since).</summary>
        public bool HasOutput { get; set; }

        /// <summary>With retractions sent: the output row downstream has (while <see cref="HasOutput"/>).</summary>
        public Value[]? Output { get; set; }

        /// <summary>As new, for another key (which the caller copies into <see cref="Key"/>, with fresh accumulators).</summary>
        public void Reset()
        {
            Rows = 0;
            EventTime = 0;
            InStore = false;
            Unsaved = false;
            HasOutput = false;
            Output = null;
        }
    }
}
