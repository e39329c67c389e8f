using System.Buffers;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// GROUP BY with sliding windows (Kafka Streams' time-difference windows): windows of size d, both ends inclusive, exist
/// only where records make them — for each record at t the window [t - d, t] that ends with it, and [t + 1 ms, t + 1 ms + d]
/// when a later record falls in it. A window aggregates the key's records inside it. A record updates every window that
/// contains it (and creates the one after it); EMIT CHANGES emits each of those windows' new rows in order, EMIT FINAL
/// each window once, when stream time passes its end plus grace. A record older than stream time minus grace is late.
/// Each key keeps its records until no open window can contain them.
/// </summary>
public sealed class SlidingAggregateOperator : KeptTuplesWindowOperator
{
    /// <summary>The right window of a record starts just after it (Kafka Streams: 1 ms).</summary>
    public const long Epsilon = 1000;


    public SlidingAggregateOperator(LogicalAggregate aggregate, Func<Value[], Value>[] keys, Func<Value[], Value>[][] arguments, Func<Value[], bool>? having,
        Func<Value[], Value> eventTime, bool emitFinal, IStateStore store, Action<long>? onLate)
        : base(aggregate, keys, arguments, having, eventTime, emitFinal, store, onLate) => Restore();

    private long Size => _window.SlidingSizeMicros;

    // Keys by the end of a window they have, so closing windows as stream time passes does not scan the state.
    private readonly SortedDictionary<long, HashSet<byte[]>> _ends = [];

    protected override void Track(long end, byte[] stateKey)
    {
        if (!_ends.TryGetValue(end, out var keys))
        {
            _ends[end] = keys = new HashSet<byte[]>(ByteArrayComparer.Instance);
        }

        keys.Add(stateKey);
    }

    public override void Process(RowBatch batch)
    {
        _input.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            _input.Add((batch.Row(i), batch.Op(i)));
        }

        batch.Clear();
        foreach (var (row, _) in _input)
        {
            var time = _eventTime(row);
            if (time.IsNull)
            {
                continue;
            }

            var t = time.AsLong;
            _streamTime = Math.Max(_streamTime, t);
            if (t + _window.GraceMicros < _streamTime)
            {
                _onLate?.Invoke(1);
                continue;
            }

            var key = new Value[_keys.Length];
            for (var k = 0; k < key.Length; k++)
            {
                key[k] = k == _window.StartKey || k == _window.EndKey ? Value.Null : _keys[k](row);
            }

            var stateKey = ValueCodec.EncodeKey(key);
            var state = Load(stateKey) ?? new KeyState(key, [], long.MinValue);
            var before = WindowsContaining(state.Records, t, includeRightOf: true);
            var index = state.Records.FindLastIndex(r => r.Time <= t) + 1;
            state.Records.Insert(index, new Record(t, Arguments(row)));
            if (!_emitFinal)
            {
                foreach (var window in WindowsContaining(state.Records, t, includeRightOf: true))
                {
                    Emit(batch, key, state.Records, window, before.Contains(window) ? ChangeOp.UpdateAfter : ChangeOp.Insert);
                }
            }

            Save(stateKey, state);
            Track(t + Size + Epsilon, stateKey);
        }

        StreamTimeState.Save(_store, _streamTime);
        Close(batch);
    }

    /// <summary>The windows (in start order) that contain t, plus, when asked, the window right after the record at t.</summary>
    private List<(long Start, long End)> WindowsContaining(List<Record> records, long t, bool includeRightOf)
    {
        var windows = new SortedSet<(long Start, long End)>();
        foreach (var record in records)
        {
            // The window ending with the record; the window right after it, when a record falls in it.
            if (record.Time - Size <= t && t <= record.Time)
            {
                windows.Add((record.Time - Size, record.Time));
            }

            var rightStart = record.Time + Epsilon;
            if (rightStart <= t && t <= rightStart + Size && HasRecordIn(records, rightStart, rightStart + Size))
            {
                windows.Add((rightStart, rightStart + Size));
            }
        }

        if (includeRightOf && HasRecordIn(records, t + Epsilon, t + Epsilon + Size))
        {
            windows.Add((t + Epsilon, t + Epsilon + Size));
        }

        return [.. windows];
    }

    /// <summary>Every window the records make, in start order.</summary>
    private List<(long Start, long End)> AllWindows(List<Record> records)
    {
        var windows = new SortedSet<(long Start, long End)>();
        foreach (var record in records)
        {
            windows.Add((record.Time - Size, record.Time));
            if (HasRecordIn(records, record.Time + Epsilon, record.Time + Epsilon + Size))
            {
                windows.Add((record.Time + Epsilon, record.Time + Epsilon + Size));
            }
        }

        return [.. windows];
    }

    private static bool HasRecordIn(List<Record> records, long start, long end)
    {
        foreach (var record in records)
        {
            if (record.Time >= start && record.Time <= end)
            {
                return true;
            }
        }

        return false;
    }

    private void Emit(RowBatch batch, Value[] key, List<Record> records, (long Start, long End) window, ChangeOp op)
    {
        var row = new Value[key.Length + _factories.Length + 1];
        key.CopyTo(row, 0);
        row[_window.StartKey] = Value.FromTimestamp(window.Start);
        row[_window.EndKey] = Value.FromTimestamp(window.End);
        var accumulators = new IAccumulator[_factories.Length];
        for (var a = 0; a < accumulators.Length; a++)
        {
            accumulators[a] = _factories[a]();
        }

        foreach (var record in records)
        {
            if (record.Time >= window.Start && record.Time <= window.End)
            {
                for (var a = 0; a < accumulators.Length; a++)
                {
                    accumulators[a].Add(record.Arguments[a]);
                }
            }
        }

        for (var a = 0; a < accumulators.Length; a++)
        {
            row[key.Length + a] = accumulators[a].Result();
        }

        row[^1] = Value.FromTimestamp(window.End);
        if (_having is null || _having(row))
        {
            batch.Add(row, op);
        }
    }

    /// <summary>
    /// Windows whose end plus grace stream time has passed are closed: EMIT FINAL emits them (once: each key remembers how far
    /// it has emitted), and records no open window can contain any more are dropped.
    /// </summary>
    private void Close(RowBatch batch)
    {
        while (_ends.Count > 0)
        {
            var (end, keys) = _ends.First();
            if (end + _window.GraceMicros >= _streamTime)
            {
                return;
            }

            _ends.Remove(end);
            foreach (var stateKey in keys)
            {
                if (Load(stateKey) is not { } state)
                {
                    continue;
                }

                var closedThrough = state.ClosedThrough;
                foreach (var window in AllWindows(state.Records))
                {
                    if (window.End + _window.GraceMicros < _streamTime && window.End > state.ClosedThrough)
                    {
                        if (_emitFinal)
                        {
                            Emit(batch, state.Key, state.Records, window, ChangeOp.Insert);
                        }

                        closedThrough = Math.Max(closedThrough, window.End);
                    }
                }

                // A record is needed while a window containing it (ending at most record + size + 1 ms) is open.
                state.Records.RemoveAll(r => r.Time + Size + Epsilon + _window.GraceMicros < _streamTime);
                if (state.Records.Count == 0)
                {
                    _store.Delete(stateKey);
                }
                else
                {
                    Save(stateKey, state with { ClosedThrough = closedThrough });
                }
            }
        }
    }

    protected override IEnumerable<long> EndsOf(byte[] stored) => Decode(stored).Records.Select(record => record.Time + Size + Epsilon);

    private KeyState? Load(byte[] stateKey) => _store.TryGet(stateKey, out var stored) ? Decode(stored!) : null;

    private KeyState Decode(byte[] stored)
    {
        var reader = new StateReader(stored);
        var key = ValueCodec.ReadRow(ref reader);
        var closedThrough = reader.ReadInt64();
        var count = reader.ReadVarInt32();
        var records = new List<Record>(count);
        for (var r = 0; r < count; r++)
        {
            var time = reader.ReadInt64();
            var tuple = new Value[_arguments.Length][];
            for (var a = 0; a < tuple.Length; a++)
            {
                tuple[a] = ValueCodec.ReadRow(ref reader);
            }

            records.Add(new Record(time, tuple));
        }

        return new KeyState(key, records, closedThrough);
    }

    private void Save(byte[] stateKey, KeyState state)
    {
        _buffer.ResetWrittenCount();
        ValueCodec.WriteRow(_buffer, state.Key);
        _buffer.WriteInt64(state.ClosedThrough);
        _buffer.WriteVarInt64(state.Records.Count);
        foreach (var record in state.Records)
        {
            _buffer.WriteInt64(record.Time);
            foreach (var arguments in record.Arguments)
            {
                ValueCodec.WriteRow(_buffer, arguments);
            }
        }

        _store.Put(stateKey, _buffer.WrittenSpan);
    }

    private sealed record Record(long Time, Value[][] Arguments);

    private sealed record KeyState(Value[] Key, List<Record> Records, long ClosedThrough);
}
