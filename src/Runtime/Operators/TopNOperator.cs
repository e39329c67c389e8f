using System.Buffers;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators;

/// <summary>
/// Streaming Top-N (ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) filtered by rank &lt;= N), one instance per partition
/// task. Each partition's state entry holds its rows in rank order. Over an append-only input (a stream) a row that falls
/// below rank N can never come back, so only the top N are kept. Over a retracting input (a table's changes) every row
/// of the partition is kept: deleting a top row lets the next one in. Equal sort keys keep arrival order (the earlier
/// row ranks first; an updated row arrives anew), which makes the result deterministic.
/// Output is an upsert changelog of the query's final rows (the outer SELECT list, then the triggering row's event time):
/// with the rank selected, one row per (partition, rank) — a row entering at rank r updates ranks r..N; without it, the
/// rows themselves come and go (inserts and deletes only; equal output rows are one table row). The outer WHERE's other
/// conditions decide per (row, rank) whether it is shown, as HAVING does for groups.
/// </summary>
public sealed class TopNOperator : IBatchOperator
{
    private readonly Func<Value[], Value>[] _partitionKeys;
    private readonly Func<Value[], Value>[] _sortKeys;
    private readonly SqlTypeKind[] _sortKinds;
    private readonly bool[] _descending;
    private readonly bool[] _nullsFirst;
    private readonly int _limit;
    private readonly bool _rankOutput;
    private readonly Func<Value[], Value>[] _output;
    private readonly Func<Value[], bool>? _visible;
    private readonly int _rowTimeIndex;
    private readonly IStateStore _store;
    private readonly bool _retractable;
    private readonly int _identityWidth;
    private readonly Dictionary<byte[], Partition> _touched = new(ByteArrayComparer.Instance);
    private readonly List<(Value[] Row, ChangeOp Op)> _input = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    // Visible output rows of the partition being changed, before and after the change (rank not selected).
    private readonly Dictionary<byte[], Value[]> _before = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], Value[]> _after = new(ByteArrayComparer.Instance);

    /// <param name="output">The outer SELECT list over a ranked row (the input row, then its rank as BIGINT).</param>
    /// <param name="visible">The outer WHERE's other conditions over a ranked row; null shows every row of the top N.</param>
    /// <param name="rowTimeIndex">Where ROWTIME is in input rows (stamps output records), or -1.</param>
    /// <param name="retractable">The input has deletes (a table's changes): keep every row, not only the top N.</param>
    /// <param name="identityWidth">How many leading columns identify a row a delete removes (the table's columns, not pseudocolumns).</param>
    public TopNOperator(Func<Value[], Value>[] partitionKeys, Func<Value[], Value>[] sortKeys, SqlTypeKind[] sortKinds, bool[] descending, bool[] nullsFirst,
        long limit, bool rankOutput, Func<Value[], Value>[] output, Func<Value[], bool>? visible, int rowTimeIndex, IStateStore store,
        bool retractable = false, int identityWidth = 0)
    {
        _retractable = retractable;
        _identityWidth = identityWidth;
        _partitionKeys = partitionKeys;
        _sortKeys = sortKeys;
        _sortKinds = sortKinds;
        _descending = descending;
        _nullsFirst = nullsFirst;
        _limit = (int)Math.Min(limit, int.MaxValue);
        _rankOutput = rankOutput;
        _output = output;
        _visible = visible;
        _rowTimeIndex = rowTimeIndex;
        _store = store;
    }

    /// <summary>Rows that did not make their partition's top N (dropped without touching the partition's rows).</summary>
    public long RowsBelowLimit { get; private set; }

    public void Process(RowBatch batch)
    {
        _input.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            _input.Add((batch.Row(i), batch.Op(i)));
        }

        batch.Clear();
        _touched.Clear();
        foreach (var (row, op) in _input)
        {
            var retraction = op is ChangeOp.Delete or ChangeOp.UpdateBefore;
            if (retraction && !_retractable)
            {
                // Over a stream the input only appends; nothing to take back.
                continue;
            }

            var key = new Value[_partitionKeys.Length];
            for (var k = 0; k < key.Length; k++)
            {
                key[k] = _partitionKeys[k](row);
            }

            var sort = new Value[_sortKeys.Length];
            for (var k = 0; k < sort.Length; k++)
            {
                sort[k] = _sortKeys[k](row);
            }

            var stateKey = ValueCodec.EncodeKey(key);
            var partition = Touch(stateKey, sort);
            if (partition is null)
            {
                RowsBelowLimit++;
                continue;
            }

            if (retraction)
            {
                Retract(batch, partition, row);
            }
            else
            {
                Insert(batch, partition, row, sort);
            }
        }

        foreach (var (stateKey, partition) in _touched)
        {
            if (partition.Dirty)
            {
                Save(stateKey, partition);
            }
        }
    }

    /// <summary>
    /// The partition's rows, loaded once per batch; null when the partition is full and the row does not beat its last
    /// row (read from the entry's header without decoding the rows).
    /// </summary>
    private Partition? Touch(byte[] stateKey, Value[] sort)
    {
        if (_touched.TryGetValue(stateKey, out var partition))
        {
            return !_retractable && partition.Entries.Count >= _limit && Compare(sort, partition.Entries[^1].Sort) >= 0 ? null : partition;
        }

        partition = new Partition();
        if (_store.TryGet(stateKey, out var stored))
        {
            var reader = new StateReader(stored);
            var count = reader.ReadInt32();
            var last = ValueCodec.ReadRow(ref reader);
            if (!_retractable && count >= _limit && Compare(sort, last) >= 0)
            {
                return null;
            }

            for (var i = 0; i < count; i++)
            {
                var row = ValueCodec.ReadRow(ref reader);
                partition.Entries.Add(new Entry(row, i == count - 1 ? last : SortOf(row)));
            }
        }

        _touched[stateKey] = partition;
        return partition;
    }

    private Value[] SortOf(Value[] row)
    {
        var sort = new Value[_sortKeys.Length];
        for (var k = 0; k < sort.Length; k++)
        {
            sort[k] = _sortKeys[k](row);
        }

        return sort;
    }

    private void Save(byte[] stateKey, Partition partition)
    {
        partition.Dirty = false;
        var entries = partition.Entries;
        if (entries.Count == 0)
        {
            // Its last row was retracted: the partition leaves the state.
            _store.Delete(stateKey);
            return;
        }

        _buffer.ResetWrittenCount();
        _buffer.WriteInt32(entries.Count);
        ValueCodec.WriteRow(_buffer, entries[^1].Sort);
        for (var i = 0; i < entries.Count; i++)
        {
            ValueCodec.WriteRow(_buffer, entries[i].Row);
        }

        _store.Put(stateKey, _buffer.WrittenSpan);
    }

    /// <summary>Puts the row after every row that sorts before or equal to it, drops rank N+1, and emits what changed.</summary>
    private void Insert(RowBatch batch, Partition partition, Value[] row, Value[] sort)
    {
        var entries = partition.Entries;
        // Binary search for the first entry that sorts strictly after the row (ties: the earlier row stays first).
        int low = 0, high = entries.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (Compare(sort, entries[mid].Sort) < 0)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        var position = low;
        var rowTime = _rowTimeIndex >= 0 ? row[_rowTimeIndex] : Value.FromTimestamp(0);
        if (!_rankOutput)
        {
            // Rows keep their identity, so the change is the difference between the visible rows before and after.
            CollectVisible(entries, _before);
            entries.Insert(position, new Entry(row, sort));
            if (!_retractable && entries.Count > _limit)
            {
                entries.RemoveAt(entries.Count - 1);
            }

            CollectVisible(entries, _after);
            EmitDifference(batch, rowTime);
            partition.Dirty = true;
            return;
        }

        var oldCount = entries.Count;
        entries.Insert(position, new Entry(row, sort));
        // Slot r (rank r + 1) held entries[r + 1] before the insert and holds entries[r] after it.
        var slots = Math.Min(entries.Count, _limit);
        for (var r = position; r < slots; r++)
        {
            var rank = r + 1;
            var before = r < oldCount ? Ranked(entries[r + 1].Row, rank) : null;
            var after = Ranked(entries[r].Row, rank);
            var wasVisible = before is not null && IsVisible(before);
            if (IsVisible(after))
            {
                batch.Add(Output(after, rowTime), wasVisible ? ChangeOp.UpdateAfter : ChangeOp.Insert);
            }
            else if (wasVisible)
            {
                batch.Add(Output(before!, rowTime), ChangeOp.Delete);
            }
        }

        if (!_retractable && entries.Count > _limit)
        {
            entries.RemoveAt(entries.Count - 1);
        }

        partition.Dirty = true;
    }

    /// <summary>Removes the first row equal to the retracted one (in its table columns): the rows below it move up a rank.</summary>
    private void Retract(RowBatch batch, Partition partition, Value[] row)
    {
        var entries = partition.Entries;
        var position = -1;
        for (var i = 0; i < entries.Count && position < 0; i++)
        {
            if (SameRow(entries[i].Row, row))
            {
                position = i;
            }
        }

        if (position < 0)
        {
            return;
        }

        var rowTime = _rowTimeIndex >= 0 ? row[_rowTimeIndex] : Value.FromTimestamp(0);
        partition.Dirty = true;
        if (!_rankOutput)
        {
            CollectVisible(entries, _before);
            entries.RemoveAt(position);
            CollectVisible(entries, _after);
            EmitDifference(batch, rowTime);
            return;
        }

        var removed = entries[position].Row;
        var oldCount = entries.Count;
        entries.RemoveAt(position);
        // Slot r (rank r + 1) held the removed row (r = position) or entries[r - 1] before, and holds entries[r] after, if any.
        var slots = Math.Min(oldCount, _limit);
        for (var r = position; r < slots; r++)
        {
            var rank = r + 1;
            var before = Ranked(r == position ? removed : entries[r - 1].Row, rank);
            var after = r < entries.Count ? Ranked(entries[r].Row, rank) : null;
            var wasVisible = IsVisible(before);
            if (after is not null && IsVisible(after))
            {
                batch.Add(Output(after, rowTime), wasVisible ? ChangeOp.UpdateAfter : ChangeOp.Insert);
            }
            else if (wasVisible)
            {
                batch.Add(Output(before, rowTime), ChangeOp.Delete);
            }
        }
    }

    private bool SameRow(Value[] stored, Value[] retracted)
    {
        for (var c = 0; c < _identityWidth; c++)
        {
            if (!stored[c].Equals(retracted[c]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The visible output rows of a partition by their encoded values (the table's key when the rank is not selected).</summary>
    private void CollectVisible(List<Entry> entries, Dictionary<byte[], Value[]> into)
    {
        into.Clear();
        var shown = Math.Min(entries.Count, _limit);
        for (var r = 0; r < shown; r++)
        {
            var ranked = Ranked(entries[r].Row, r + 1);
            if (IsVisible(ranked))
            {
                var projected = Project(ranked);
                into.TryAdd(ValueCodec.EncodeKey(projected), projected);
            }
        }
    }

    private void EmitDifference(RowBatch batch, Value rowTime)
    {
        foreach (var (key, projected) in _before)
        {
            if (!_after.ContainsKey(key))
            {
                batch.Add(WithTime(projected, rowTime), ChangeOp.Delete);
            }
        }

        foreach (var (key, projected) in _after)
        {
            if (!_before.ContainsKey(key))
            {
                batch.Add(WithTime(projected, rowTime), ChangeOp.Insert);
            }
        }
    }

    private static Value[] Ranked(Value[] row, long rank)
    {
        var ranked = new Value[row.Length + 1];
        row.CopyTo(ranked, 0);
        ranked[^1] = Value.FromBigInt(rank);
        return ranked;
    }

    private bool IsVisible(Value[] ranked) => _visible is null || _visible(ranked);

    private Value[] Project(Value[] ranked)
    {
        var output = new Value[_output.Length];
        for (var c = 0; c < output.Length; c++)
        {
            output[c] = _output[c](ranked);
        }

        return output;
    }

    private Value[] Output(Value[] ranked, Value rowTime) => WithTime(Project(ranked), rowTime);

    private static Value[] WithTime(Value[] projected, Value rowTime)
    {
        var row = new Value[projected.Length + 1];
        projected.CopyTo(row, 0);
        row[^1] = rowTime;
        return row;
    }

    /// <summary>Sort order of two rows' sort keys (negative: a ranks first), with each key's direction and NULLS placement.</summary>
    private int Compare(Value[] a, Value[] b)
    {
        for (var k = 0; k < a.Length; k++)
        {
            var x = a[k];
            var y = b[k];
            int c;
            if (x.IsNull || y.IsNull)
            {
                if (x.IsNull && y.IsNull)
                {
                    continue;
                }

                c = x.IsNull == _nullsFirst[k] ? -1 : 1;
            }
            else
            {
                c = ValueOrdering.Compare(x, y, _sortKinds[k]);
                if (_descending[k])
                {
                    c = -c;
                }
            }

            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private readonly record struct Entry(Value[] Row, Value[] Sort);

    private sealed class Partition
    {
        public List<Entry> Entries { get; } = [];

        /// <summary>Changed in this batch: written back to the store at its end.</summary>
        public bool Dirty { get; set; }
    }
}
