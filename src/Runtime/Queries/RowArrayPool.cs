using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// Row arrays a task lends to its decoder and takes back when nothing holds them any more: the input rows of one part
/// of a batch, once an aggregation that copies what it keeps has taken the part. The next part is decoded into them,
/// so a batch's input allocates one part's rows, not one row per record.
/// </summary>
public sealed class RowArrayPool
{
    private readonly Stack<Value[]> _free = new();
    private readonly List<Value[]> _lent = [];

    /// <summary>A row of width values, all NULL, or, when the caller overwrites every value anyway, as a previous row left it.</summary>
    public Value[] Rent(int width, bool overwritten = false)
    {
        if (!_free.TryPop(out var row) || row.Length != width)
        {
            row = new Value[width];
        }
        else if (!overwritten)
        {
            Array.Clear(row);
        }

        _lent.Add(row);
        return row;
    }

    /// <summary>Every row lent since the last call is free again: the caller knows no one holds them.</summary>
    public void ReturnAll()
    {
        foreach (var row in _lent)
        {
            _free.Push(row);
        }

        _lent.Clear();
    }
}
