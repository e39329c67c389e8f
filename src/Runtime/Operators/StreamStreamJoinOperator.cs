using System.Buffers;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators;

/// <summary>
/// Stream–stream join WITHIN a window (Kafka Streams semantics), for one partition task fed both inputs in time order.
/// A left row at time t joins the right rows of its key whose time is in [t - before, t + after] (and that pass the rest
/// of the ON condition); every row is buffered in the state store under (side, key) until no row that can still arrive
/// could join it. Stream time is the largest row time seen; rows older than stream time minus grace are late: dropped
/// and counted. An outer row (LEFT: left rows, FULL: both) that never matched is emitted with NULLs for the other side
/// when stream time passes the end of its window plus grace (t + after + grace for a left row, t + before + grace for a
/// right one): from then on only late rows could have joined it, so a padded row is never followed by a match.
/// Deterministic given the order of its input, so a persistent query can rebuild it by replay. Buffered rows are kept in
/// (time, offset) order and expire in (close, side, offset) order, so that without late rows the output of a row depends
/// only on which rows came before it, not on the order they came in (a rebuilt state then behaves as the live one).
/// A persistent query checkpoints the state: <see cref="SaveProgress"/> stores stream time, the arrival counter and the
/// right input's offset beside the rows, and a store restored from a checkpoint rebuilds the expiry order from its rows.
/// </summary>
public sealed class StreamStreamJoinOperator
{
    private readonly Func<Value[], Value>[] _keys;
    private readonly Func<Value[], bool>?[] _filters;
    private readonly Func<Value[], bool>? _residual;
    private readonly IStateStore _store;
    private readonly Action<long>? _onLate;
    private readonly int[] _widths;
    private readonly int[] _timeIndexes;
    private readonly bool[] _outer;
    private readonly long _before;
    private readonly long _after;
    private readonly long _grace;
    // Buffered rows by when their window closes (then side, then arrival): expiry and padded output in a fixed order.
    private readonly PriorityQueue<(int Side, byte[] Key, long Seq), (long Close, int Side, long Offset)> _expiry = new();
    private long _streamTime = long.MinValue;
    private long _seq;

    // Beside the buffered rows (keys start with side 0 or 1): where the state stands, written before a checkpoint.
    private static readonly byte[] ProgressKey = [0xFF];

    /// <param name="filters">The join's <see cref="LogicalStreamJoin.LeftFilter"/> and RightFilter compiled (null: none).</param>
    public StreamStreamJoinOperator(LogicalStreamJoin join, Func<Value[], Value> leftKey, Func<Value[], Value> rightKey, Func<Value[], bool>? residual,
        IStateStore store, Action<long>? onLate, Func<Value[], bool>?[]? filters = null)
    {
        _keys = [leftKey, rightKey];
        _filters = filters ?? [null, null];
        _residual = residual;
        _store = store;
        _onLate = onLate;
        _widths = [join.Left.Schema.Count, join.Right.Schema.Count];
        _timeIndexes = [join.Left.Source.Columns.Count, join.Right.Source.Columns.Count];
        _outer = [join.Kind is JoinKind.Left or JoinKind.Full, join.Kind is JoinKind.Full];
        _before = join.BeforeMicros;
        _after = join.AfterMicros;
        _grace = join.GraceMicros;
        RestoredRightOffset = Restore();
    }

    /// <summary>The right input's offset the restored state corresponds to (the left one is the checkpoint's), or null for a fresh state.</summary>
    public long? RestoredRightOffset { get; }

    /// <summary>Records stream time, the arrival counter and the right input's offset in the store, for a checkpoint taken next.</summary>
    public void SaveProgress(long rightOffset)
    {
        var buffer = new ArrayBufferWriter<byte>(24);
        buffer.WriteInt64(_streamTime);
        buffer.WriteInt64(_seq);
        buffer.WriteInt64(rightOffset);
        _store.Put(ProgressKey, buffer.WrittenSpan);
    }

    // A store restored from a checkpoint: progress from its key, the expiry queue from the buffered rows.
    private long? Restore()
    {
        if (!_store.TryGet(ProgressKey, out var progress) || progress is null)
        {
            return null;
        }

        var reader = new StateReader(progress);
        _streamTime = reader.ReadInt64();
        _seq = reader.ReadInt64();
        var rightOffset = reader.ReadInt64();
        _store.Scan((key, value) =>
        {
            if (key[0] > 1)
            {
                return true;
            }

            var side = key[0];
            var keyBytes = key[1..].ToArray();
            var entries = new StateReader(value);
            while (!entries.End)
            {
                var time = entries.ReadInt64();
                var seq = entries.ReadInt64();
                entries.ReadBoolean();
                var row = ValueCodec.ReadRow(ref entries);
                _expiry.Enqueue((side, keyBytes, seq), (CloseTime(side, time), side, OffsetOf(side, row, seq)));
            }

            return true;
        });
        return rightOffset;
    }

    /// <summary>The row time of a row of one side (0 left, 1 right), in microseconds.</summary>
    public long TimeOf(int side, Value[] row) => row[_timeIndexes[side]].IsNull ? long.MinValue : row[_timeIndexes[side]].AsLong;

    /// <summary>Joins one input row of a side (0 left, 1 right), adding results (and outer rows whose window closed) to output.</summary>
    public void Process(int side, Value[] row, RowBatch output)
    {
        var time = TimeOf(side, row);
        if (time == long.MinValue || (_streamTime != long.MinValue && time < _streamTime - _grace))
        {
            _onLate?.Invoke(1);
            return;
        }

        // A row a WHERE pushed into the join filters out is not joined or buffered, but its time counts, as above the join.
        var passes = _filters[side] is not { } filter || filter(row);
        var key = passes ? _keys[side](row) : Value.Null;
        if (passes && key.IsNull)
        {
            // NULL equals nothing: the row can never match, so an outer row is emitted at once and nothing is buffered.
            if (_outer[side])
            {
                output.Add(Combine(side, row, null));
            }
        }
        else if (passes)
        {
            var keyBytes = ValueCodec.EncodeKey([key]);
            var other = 1 - side;
            var partners = Load(other, keyBytes);
            var matched = false;
            var changed = false;
            for (var i = 0; i < partners.Count; i++)
            {
                var partner = partners[i];
                var (leftTime, rightTime) = side == 0 ? (time, partner.Time) : (partner.Time, time);
                if (rightTime < leftTime - _before || rightTime > leftTime + _after)
                {
                    continue;
                }

                var combined = Combine(side, row, partner.Row);
                if (_residual is not null && !_residual(combined))
                {
                    continue;
                }

                output.Add(combined);
                matched = true;
                if (!partner.Matched)
                {
                    partners[i] = partner with { Matched = true };
                    changed = true;
                }
            }

            if (changed)
            {
                Save(other, keyBytes, partners);
            }

            var seq = _seq++;
            var offset = OffsetOf(side, row, seq);
            var entry = new Entry(time, seq, matched, row);
            if (!TryAppend(side, keyBytes, entry, offset))
            {
                var own = Load(side, keyBytes);
                var at = own.FindIndex(e => e.Time > time || (e.Time == time && OffsetOf(side, e.Row, e.Seq) > offset));
                own.Insert(at < 0 ? own.Count : at, entry);
                Save(side, keyBytes, own);
            }

            _expiry.Enqueue((side, keyBytes, seq), (CloseTime(side, time), side, offset));
        }

        if (time > _streamTime)
        {
            _streamTime = time;
        }

        Expire(_streamTime - _grace, output);
    }

    /// <summary>End of a finite input (a pull query): every outer row still waiting for a partner is emitted padded.</summary>
    public void Close(RowBatch output) => Expire(long.MaxValue, output);

    // The row's source offset (ROWOFFSET follows ROWTIME and ROWPARTITION): a tie-break that does not depend on arrival order.
    private long OffsetOf(int side, Value[] row, long seq) =>
        _timeIndexes[side] + 2 < row.Length && !row[_timeIndexes[side] + 2].IsNull ? row[_timeIndexes[side] + 2].AsLong : seq;

    // A left row can join right rows up to t + after; a right row left rows up to t + before.
    private long CloseTime(int side, long time) => time + (side == 0 ? _after : _before);

    /// <summary>Drops the rows whose window closed before watermark (no row at or after it can join them), emitting unmatched outer ones.</summary>
    private void Expire(long watermark, RowBatch output)
    {
        while (_expiry.TryPeek(out var item, out var priority) && priority.Close < watermark)
        {
            _expiry.Dequeue();
            var entries = Load(item.Side, item.Key);
            var index = entries.FindIndex(e => e.Seq == item.Seq);
            if (index < 0)
            {
                continue;
            }

            var entry = entries[index];
            entries.RemoveAt(index);
            Save(item.Side, item.Key, entries);
            if (_outer[item.Side] && !entry.Matched)
            {
                output.Add(Combine(item.Side, entry.Row, null));
            }
        }
    }

    /// <summary>The output row: left columns then right ones; a missing side is NULLs.</summary>
    private Value[] Combine(int side, Value[] row, Value[]? partner)
    {
        var combined = new Value[_widths[0] + _widths[1]];
        var (left, right) = side == 0 ? (row, partner) : (partner, row);
        if (left is not null)
        {
            Array.Copy(left, combined, _widths[0]);
        }

        if (right is not null)
        {
            Array.Copy(right, 0, combined, _widths[0], _widths[1]);
        }

        return combined;
    }

    private readonly record struct Entry(long Time, long Seq, bool Matched, Value[] Row);

    private static byte[] StoreKey(int side, byte[] key)
    {
        var bytes = new byte[key.Length + 1];
        bytes[0] = (byte)side;
        key.CopyTo(bytes, 1);
        return bytes;
    }

    private List<Entry> Load(int side, byte[] key)
    {
        var entries = new List<Entry>();
        if (!_store.TryGet(StoreKey(side, key), out var bytes) || bytes is null)
        {
            return entries;
        }

        var reader = new StateReader(bytes);
        while (!reader.End)
        {
            var time = reader.ReadInt64();
            var seq = reader.ReadInt64();
            var matched = reader.ReadBoolean();
            entries.Add(new Entry(time, seq, matched, ValueCodec.ReadRow(ref reader)));
        }

        return entries;
    }

    private void Save(int side, byte[] key, List<Entry> entries)
    {
        var storeKey = StoreKey(side, key);
        if (entries.Count == 0)
        {
            _store.Delete(storeKey);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>();
        foreach (var entry in entries)
        {
            Write(buffer, entry);
        }

        _store.Put(storeKey, buffer.WrittenSpan);
    }

    private static void Write(ArrayBufferWriter<byte> buffer, Entry entry)
    {
        buffer.WriteInt64(entry.Time);
        buffer.WriteInt64(entry.Seq);
        buffer.WriteBoolean(entry.Matched);
        ValueCodec.WriteRow(buffer, entry.Row);
    }

    /// <summary>
    /// Rows of a key usually arrive in (time, offset) order, so a new one belongs after all buffered ones: its bytes are
    /// appended to the stored list, whose rows are skipped rather than decoded (only the last is read, for a tie in time).
    /// False when the row goes before the last buffered one; the caller then inserts it into the decoded list.
    /// </summary>
    private bool TryAppend(int side, byte[] key, Entry entry, long offset)
    {
        var storeKey = StoreKey(side, key);
        _store.TryGet(storeKey, out var stored);
        var existing = stored ?? [];
        var last = -1;
        var reader = new StateReader(existing);
        while (!reader.End)
        {
            last = reader.Position;
            reader.ReadInt64();
            reader.ReadInt64();
            reader.ReadBoolean();
            ValueCodec.SkipRow(ref reader);
        }

        if (last >= 0)
        {
            var lastEntry = new StateReader(existing.AsSpan(last));
            var lastTime = lastEntry.ReadInt64();
            var lastSeq = lastEntry.ReadInt64();
            lastEntry.ReadBoolean();
            if (lastTime > entry.Time || (lastTime == entry.Time && OffsetOf(side, ValueCodec.ReadRow(ref lastEntry), lastSeq) > offset))
            {
                return false;
            }
        }

        var buffer = new ArrayBufferWriter<byte>(existing.Length + 64);
        buffer.Write(existing);
        Write(buffer, entry);
        _store.Put(storeKey, buffer.WrittenSpan);
        return true;
    }
}
