using System.Buffers;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// GROUP BY with session windows (Kafka Streams' semantics): a key's records less than the gap apart form one session
/// [first, last]; a record that falls within the gap of several sessions merges them. Each session keeps its input
/// tuples, so a merge recomputes the aggregates exactly. EMIT CHANGES deletes the merged sessions' rows and inserts the
/// new one (consolidated: once per batch, each key's net change: the rows of its sessions from before the batch that the
/// batch changed or merged away, deleted, then its changed sessions' rows at the end of the batch); EMIT FINAL emits a
/// session once it can no longer grow: stream time reached its end plus gap plus grace.
/// Records older than stream time minus grace are late and dropped (as Kafka Streams drops them).
/// </summary>
public sealed class SessionAggregateOperator : KeptTuplesWindowOperator, IAggregatesInParts
{
    // Keys' sessions as decoded, kept from batch to batch (this operator is the store's only writer): a key a batch meets
    // again is neither decoded nor aggregated from its tuples again. Past the cap, keys the last batch did not touch leave.
    private const int CachedKeysCap = 16_384;
    private readonly Dictionary<byte[], KeySessions> _sessionsByKey = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], KeySessions>.AlternateLookup<ReadOnlySpan<byte>> _sessionsBySpan;

    // The keys the current batch touched, in the order it met them: saved (and, consolidated, emitted) at its end.
    private readonly List<(byte[] StateKey, KeySessions Entry)> _batchKeys = [];
    private long _batchNumber;

    // Consolidated EMIT CHANGES: the rows of sessions from before the batch that it changed or merged away, in input order.
    private readonly List<Value[]> _replacedRows = [];
    private readonly bool _consolidate;

    // A row's group key and its encoding, reused: a key's arrays are only made when the batch first meets it.
    private readonly Value[] _rowKey;
    private readonly ArrayBufferWriter<byte> _rowStateKey = new(32);

    // The key the previous row of the batch went to: a hot key's rows often come in a row (q11: three bids in four are
    // the current hot bidder's), and then need no encoding or lookup.
    private KeySessions? _lastEntry;
    private byte[]? _lastStateKey;

    // Keys to look at for closing, by their sessions' earliest end as last known (this operator does not use the base's
    // index of every end).
    private readonly SessionEndQueue _closing = new();

    /// <param name="consolidate">EMIT CHANGES once per batch with each key's net change rather than per input row.</param>
    public SessionAggregateOperator(LogicalAggregate aggregate, Func<Value[], Value>[] keys, Func<Value[], Value>[][] arguments, Func<Value[], bool>? having,
        Func<Value[], Value> eventTime, bool emitFinal, IStateStore store, Action<long>? onLate, bool consolidate = false)
        : base(aggregate, keys, arguments, having, eventTime, emitFinal, store, onLate)
    {
        _consolidate = consolidate && !emitFinal;
        _rowKey = new Value[keys.Length];
        _sessionsBySpan = _sessionsByKey.GetAlternateLookup<ReadOnlySpan<byte>>();
        Restore();
    }

    /// <summary>The output depends on where batches end (consolidated EMIT CHANGES): a replay must read the same batches.</summary>
    public bool ConsolidatesOutput => _consolidate;

    private long Gap => _window.SessionGapMicros;

    public override void Process(RowBatch batch)
    {
        _input.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            _input.Add((batch.Row(i), batch.Op(i)));
        }

        batch.Clear();
        BeginBatch();
        try
        {
            foreach (var (row, _) in _input)
            {
                ProcessRow(batch, row);
            }
        }
        catch
        {
            Abandon();
            throw;
        }

        EndBatch(batch);
    }

    public void BeginBatch()
    {
        _lastEntry = null;
        _lastStateKey = null;
        _batchKeys.Clear();
        _replacedRows.Clear();
        _batchNumber++;
    }

    // A session keeps copies of its rows' arguments (Arguments), not the rows.
    public bool KeepsInputRows => false;

    public void Accumulate(RowBatch input, RowBatch output)
    {
        try
        {
            for (var i = 0; i < input.Count; i++)
            {
                ProcessRow(output, input.Row(i));
            }
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    // Nothing of this batch reached the store: a replay (row by row, to isolate a failing row) starts clean, its keys
    // decoded from the store again.
    private void Abandon()
    {
        _lastEntry = null;
        _lastStateKey = null;
        _sessionsByKey.Clear();
        _batchKeys.Clear();
        _replacedRows.Clear();
    }

    public void EndBatch(RowBatch batch)
    {
        if (_consolidate)
        {
            EmitNetChanges(batch);
        }

        // Each key's sessions are loaded once per batch and saved once at its end; the ends of those the batch changed are
        // tracked for closing (an end a session grew past within the batch would only make a needless visit).
        foreach (var (stateKey, entry) in _batchKeys)
        {
            var (key, sessions, _) = entry;
            Save(stateKey, key, sessions, entry.Stored);
            entry.Stored = true;
            foreach (var session in sessions)
            {
                if (session.ChangedInBatch)
                {
                    session.ChangedInBatch = false;
                    if (session.End < entry.ClosingEnd)
                    {
                        entry.ClosingEnd = _closing.Queue(stateKey, session.End);
                    }
                }
            }
        }

        _batchKeys.Clear();
        if (_sessionsByKey.Count > CachedKeysCap)
        {
            foreach (var (stateKey, entry) in _sessionsByKey)
            {
                if (entry.LastBatch != _batchNumber)
                {
                    _sessionsByKey.Remove(stateKey);
                }
            }
        }

        StreamTimeState.Save(_store, _streamTime);
        CloseSessions(batch);
    }

    private void ProcessRow(RowBatch batch, Value[] row)
    {
        var time = _eventTime(row);
        if (time.IsNull)
        {
            return;
        }

        var t = time.AsLong;
        _streamTime = Math.Max(_streamTime, t);
        // Late: older than stream time by the grace period or more. A record in time can only merge into sessions that are
        // still open (a closed session ended more than gap + grace before stream time).
        if (t + _window.GraceMicros <= _streamTime && t < _streamTime)
        {
            _onLate?.Invoke(1);
            return;
        }

        for (var k = 0; k < _rowKey.Length; k++)
        {
            _rowKey[k] = k == _window.StartKey || k == _window.EndKey ? Value.Null : _keys[k](row);
        }

        KeySessions? entry;
        byte[]? stateKey;
        if (_lastEntry is not null && SameKey(_rowKey, _lastEntry.Key))
        {
            (entry, stateKey) = (_lastEntry, _lastStateKey!);
        }
        else
        {
            _rowStateKey.Clear();
            ValueCodec.WriteKey(_rowStateKey, _rowKey);
            if (!_sessionsBySpan.TryGetValue(_rowStateKey.WrittenSpan, out stateKey, out entry))
            {
                stateKey = _rowStateKey.WrittenSpan.ToArray();
                var stored = _store.TryGet(stateKey, out var bytes);
                entry = new KeySessions((Value[])_rowKey.Clone(), stored ? Decode(bytes!).Sessions : []) { Stored = stored };
                _sessionsByKey[stateKey] = entry;
            }

            (_lastEntry, _lastStateKey) = (entry, stateKey);
        }

        if (entry.LastBatch != _batchNumber)
        {
            entry.LastBatch = _batchNumber;
            _batchKeys.Add((stateKey, entry));
        }

        var (key, sessions, _) = entry;
        var tuple = Arguments(row);
        var overlapping = -1;
        var overlaps = 0;
        for (var s = sessions.Count - 1; s >= 0; s--)
        {
            if (t >= sessions[s].Start - Gap && t <= sessions[s].End + Gap)
            {
                overlapping = s;
                overlaps++;
            }
        }

        Session merged;
        if (overlaps == 1)
        {
            // The usual case: the record extends one session. Its tuples and live aggregates grow by one.
            var session = sessions[overlapping];
            Replace(batch, key, session);

            sessions.RemoveAt(overlapping);
            session.Start = Math.Min(session.Start, t);
            session.End = Math.Max(session.End, t);
            session.Add(tuple);
            if (session.Live is { } live)
            {
                for (var a = 0; a < live.Length; a++)
                {
                    live[a].Add(tuple[a]);
                }
            }

            merged = session;
        }
        else
        {
            merged = NewSession(t, tuple);
            for (var s = sessions.Count - 1; s >= 0; s--)
            {
                var session = sessions[s];
                if (t >= session.Start - Gap && t <= session.End + Gap)
                {
                    Replace(batch, key, session);

                    merged = Session.Merge(session, merged);
                    sessions.RemoveAt(s);
                }
            }
        }

        sessions.Add(merged);
        merged.ChangedInBatch = true;
        if (!_emitFinal && !_consolidate)
        {
            Emit(batch, key, merged, ChangeOp.Insert);
        }
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

    /// <summary>A session is about to grow or be merged away: its row leaves the output (consolidated: once, if it was there before the batch).</summary>
    private void Replace(RowBatch batch, Value[] key, Session session)
    {
        if (_emitFinal)
        {
            return;
        }

        if (!_consolidate)
        {
            Emit(batch, key, session, ChangeOp.Delete);
        }
        else if (!session.ChangedInBatch)
        {
            _replacedRows.Add(OutputRow(key, session));
        }
    }

    /// <summary>
    /// Consolidated EMIT CHANGES at the end of a batch: the replaced rows are deleted first (a session may keep its bounds,
    /// hence its table key, and only grow its aggregates), then each changed session's row is inserted, by key in the order
    /// the batch first touched them: the same on a replay of the batch.
    /// </summary>
    private void EmitNetChanges(RowBatch batch)
    {
        foreach (var row in _replacedRows)
        {
            if (_having is null || _having(row))
            {
                batch.Add(row, ChangeOp.Delete);
            }
        }

        _replacedRows.Clear();
        foreach (var (_, (key, sessions, _)) in _batchKeys)
        {
            foreach (var session in sessions)
            {
                if (session.ChangedInBatch)
                {
                    Emit(batch, key, session, ChangeOp.Insert);
                }
            }
        }
    }

    private void Emit(RowBatch batch, Value[] key, Session session, ChangeOp op)
    {
        var row = OutputRow(key, session);
        if (_having is null || _having(row))
        {
            batch.Add(row, op);
        }
    }

    private Value[] OutputRow(Value[] key, Session session)
    {
        var row = new Value[key.Length + _factories.Length + 1];
        key.CopyTo(row, 0);
        row[_window.StartKey] = Value.FromTimestamp(session.Start);
        row[_window.EndKey] = Value.FromTimestamp(session.End);
        if (session.Live is null)
        {
            var live = new IAccumulator[_factories.Length];
            for (var a = 0; a < live.Length; a++)
            {
                live[a] = _factories[a]();
                for (var i = 0; i < session.Count; i++)
                {
                    live[a].Add(session.TupleAt(i, _noArguments)[a]);
                }
            }

            session.Live = live;
        }

        for (var a = 0; a < _factories.Length; a++)
        {
            row[key.Length + a] = session.Live[a].Result();
        }

        row[^1] = Value.FromTimestamp(session.End);
        return row;
    }

    /// <summary>
    /// Sessions that stream time has left behind by more than gap plus grace cannot grow: emit (EMIT FINAL) and forget them.
    /// A key still with open sessions is queued again at the earliest of their ends.
    /// </summary>
    private void CloseSessions(RowBatch batch)
    {
        // A session closes once end + gap + grace <= stream time (no stream time yet: none).
        if (_streamTime == long.MinValue)
        {
            return;
        }

        var limit = _streamTime - Gap - _window.GraceMicros;
        while (_closing.TryTake(limit, out var stateKey))
        {
            var cached = _sessionsByKey.GetValueOrDefault(stateKey);
            Value[] key;
            List<Session> sessions;
            if (cached is not null)
            {
                (key, sessions, _) = cached;
                cached.ClosingEnd = long.MaxValue;
            }
            else if (_store.TryGet(stateKey, out var stored))
            {
                (key, sessions) = Decode(stored!);
            }
            else
            {
                continue;
            }

            List<Session>? open = null;
            var earliestOpenEnd = long.MaxValue;
            foreach (var session in sessions)
            {
                if (session.End <= limit)
                {
                    if (_emitFinal)
                    {
                        Emit(batch, key, session, ChangeOp.Insert);
                    }
                }
                else
                {
                    (open ??= []).Add(session);
                    earliestOpenEnd = Math.Min(earliestOpenEnd, session.End);
                }
            }

            if (open is null)
            {
                if (cached is null || cached.Stored)
                {
                    _store.DeleteExisting(stateKey);
                }
                else
                {
                    _store.Delete(stateKey);
                }
                _sessionsByKey.Remove(stateKey);
                continue;
            }

            if (open.Count < sessions.Count)
            {
                Save(stateKey, key, open, existed: true);
                cached?.Sessions = open;
            }

            var queued = _closing.Queue(stateKey, earliestOpenEnd);
            cached?.ClosingEnd = queued;
        }
    }

    /// <summary>At start: each stored key is queued at its sessions' earliest end.</summary>
    protected override void Track(long end, byte[] stateKey) => _closing.Queue(stateKey, end);

    protected override IEnumerable<long> EndsOf(byte[] stored) => Decode(stored).Sessions.Select(session => session.End);

    // Count-only sessions (count(*): no aggregate reads an argument) are saved as their counts alone, after these two bytes,
    // which cannot start a row (a non-canonical LEB128 length, never written). Saved before as a zero byte per tuple, a
    // long session's state grew by a byte per row and was written whole at every save (q11's hot bidders' sessions last
    // the whole run: tens of thousands of bids each). A value without them is read as before.
    private static ReadOnlySpan<byte> CountsOnly => [0xFF, 0x00];

    private (Value[] Key, List<Session> Sessions) Decode(byte[] stored)
    {
        var countsOnly = stored.AsSpan().StartsWith(CountsOnly);
        if (countsOnly && _noArguments is null)
        {
            throw new InvalidDataException("state: a session saved as counts alone where its tuples are needed");
        }

        var reader = new StateReader(countsOnly ? stored.AsSpan(CountsOnly.Length) : stored);
        var key = ValueCodec.ReadRow(ref reader);
        var count = reader.ReadVarInt32();
        var sessions = new List<Session>(count);
        for (var s = 0; s < count; s++)
        {
            var start = reader.ReadInt64();
            var end = reader.ReadInt64();
            var rows = reader.ReadVarInt32();
            if (countsOnly)
            {
                sessions.Add(new Session(start, end, null, rows));
                continue;
            }

            if (_noArguments is { } none)
            {
                // count(*) and the like: every tuple is the same one, empty arguments (a zero length byte each): only counted.
                if (reader.ReadSpan(rows * none.Length).ContainsAnyExcept((byte)0))
                {
                    throw new InvalidDataException("state: a session tuple has arguments where none are expected");
                }

                sessions.Add(new Session(start, end, null, rows));
                continue;
            }

            var tuples = new List<Value[][]>(rows);
            for (var r = 0; r < rows; r++)
            {
                var tuple = new Value[_arguments.Length][];
                for (var a = 0; a < tuple.Length; a++)
                {
                    tuple[a] = ValueCodec.ReadRow(ref reader);
                }

                tuples.Add(tuple);
            }

            sessions.Add(new Session(start, end, tuples, rows));
        }

        return (key, sessions);
    }

    /// <param name="existed">Whether the store has the key (so it need not look it up to keep its count).</param>
    private void Save(byte[] stateKey, Value[] key, List<Session> sessions, bool existed)
    {
        _buffer.ResetWrittenCount();
        if (_noArguments is not null)
        {
            _buffer.Write(CountsOnly);
        }

        ValueCodec.WriteRow(_buffer, key);
        _buffer.WriteVarInt64(sessions.Count);
        foreach (var session in sessions)
        {
            _buffer.WriteInt64(session.Start);
            _buffer.WriteInt64(session.End);
            _buffer.WriteVarInt64(session.Count);
            if (_noArguments is not null)
            {
                continue;
            }

            for (var i = 0; i < session.Count; i++)
            {
                foreach (var arguments in session.TupleAt(i, none: null))
                {
                    ValueCodec.WriteRow(_buffer, arguments);
                }
            }
        }

        _store.Put(stateKey, _buffer.WrittenSpan, existed);
    }

    /// <summary>A key's sessions (as stored at the end of the last batch that touched it, or being changed by this one).</summary>
    private sealed class KeySessions(Value[] key, List<Session> sessions)
    {
        public Value[] Key { get; } = key;

        public List<Session> Sessions { get; set; } = sessions;

        /// <summary>The number of the last batch that touched the key.</summary>
        public long LastBatch { get; set; }

        /// <summary>The store has the key (it was read from there, or saved since).</summary>
        public bool Stored { get; set; }

        /// <summary>The end the key is queued at for closing (MaxValue: not known to be queued).</summary>
        public long ClosingEnd { get; set; } = long.MaxValue;

        public void Deconstruct(out Value[] key, out List<Session> sessions, out long lastBatch) => (key, sessions, lastBatch) = (Key, Sessions, LastBatch);
    }

    /// <summary>A new session of one tuple.</summary>
    private Session NewSession(long time, Value[][] tuple) => _noArguments is null ? new Session(time, time, [tuple], 1) : new Session(time, time, null, 1);

    /// <summary>
    /// A session: its bounds, its input tuples, and (once computed while it is cached) its aggregates so far. When every
    /// tuple is the shared empty one (count(*)), only their number is kept: no list that a long session grows row by row.
    /// </summary>
    private sealed class Session(long start, long end, List<Value[][]>? tuples, int count)
    {
        private readonly List<Value[][]>? _tuples = tuples;

        public long Start { get; set; } = start;

        public long End { get; set; } = end;

        public int Count { get; private set; } = count;

        public Value[][] TupleAt(int index, Value[][]? none) => _tuples is null ? none! : _tuples[index];

        public void Add(Value[][] tuple)
        {
            _tuples?.Add(tuple);
            Count++;
        }

        /// <summary>Two sessions a record bridges, as one: first's tuples, then second's (their order in the store).</summary>
        public static Session Merge(Session first, Session second) =>
            new(Math.Min(first.Start, second.Start), Math.Max(first.End, second.End),
                first._tuples is null || second._tuples is null ? null : [.. first._tuples, .. second._tuples], first.Count + second.Count);

        public IAccumulator[]? Live { get; set; }

        /// <summary>New or grown in the current batch (its row from before the batch, if any, already replaced).</summary>
        public bool ChangedInBatch { get; set; }
    }
}
