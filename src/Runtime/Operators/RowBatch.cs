using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators;

/// <summary>The unit operators exchange: rows with their change ops, plus the source position the batch ends at.</summary>
public sealed class RowBatch
{
    private readonly List<Value[]> _rows = new(256);
    private readonly List<ChangeOp> _ops = new(256);

    public int Count => _rows.Count;

    public Value[] Row(int index) => _rows[index];

    public ChangeOp Op(int index) => _ops[index];

    /// <summary>Source partition the rows came from.</summary>
    public int Partition { get; set; }

    /// <summary>Offset after the last source record covered by this batch (including records filtered out or rejected).</summary>
    public long EndOffset { get; set; }

    /// <summary>Offset of the first source record the batch covers (a stream–stream join's batch: so that it can be replayed exactly).</summary>
    public long StartOffset { get; set; }

    /// <summary>A stream–stream join's batch also covers its right input: that input's (virtual) partition, or -1.</summary>
    public int PairedPartition { get; set; } = -1;

    /// <summary>Where the right input of a join batch starts.</summary>
    public long PairedStartOffset { get; set; }

    /// <summary>Offset after the last record of the right input a join batch covers.</summary>
    public long PairedEndOffset { get; set; }

    public void Add(Value[] row, ChangeOp op = ChangeOp.Insert)
    {
        _rows.Add(row);
        _ops.Add(op);
    }

    public void Set(int index, Value[] row, ChangeOp op)
    {
        _rows[index] = row;
        _ops[index] = op;
    }

    public void Truncate(int count)
    {
        _rows.RemoveRange(count, _rows.Count - count);
        _ops.RemoveRange(count, _ops.Count - count);
    }

    public void Clear()
    {
        _rows.Clear();
        _ops.Clear();
    }
}
