using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators;

/// <summary>
/// Stream–table join (ksqlDB semantics): each stream row is joined with the table row its key has when the row is
/// processed, by a point lookup; INNER drops rows without a match (or failing the rest of the ON condition), LEFT keeps
/// them with the table's columns NULL. Output rows are the stream row's columns followed by the table row's.
/// Before each batch the task waits until the table has applied everything its topic held at that moment
/// (<see cref="BeforeBatchAsync"/>), so a lookup sees every table row written before the stream rows were processed.
/// </summary>
public sealed class StreamTableJoinOperator : IBatchOperator, IWaitsBeforeBatch
{
    private readonly ITableLookup _table;
    private readonly Func<Value[], Value> _key;
    private readonly Func<Value[], bool>? _residual;
    private readonly bool _keepUnmatched;
    private readonly int _leftWidth;
    private readonly int _rightWidth;
    private readonly int _timeIndex;

    /// <param name="timeIndex">Where a stream row holds its event time (ROWTIME), which a versioned table looks up by.</param>
    public StreamTableJoinOperator(ITableLookup table, Func<Value[], Value> key, Func<Value[], bool>? residual, bool keepUnmatched, int leftWidth, int rightWidth,
        int timeIndex)
    {
        _timeIndex = timeIndex;
        _table = table;
        _key = key;
        _residual = residual;
        _keepUnmatched = keepUnmatched;
        _leftWidth = leftWidth;
        _rightWidth = rightWidth;
    }

    public ValueTask BeforeBatchAsync(CancellationToken cancellationToken) => _table.CatchUpAsync(cancellationToken);

    public void Process(RowBatch batch)
    {
        var kept = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var row = batch.Row(i);
            var combined = new Value[_leftWidth + _rightWidth];
            Array.Copy(row, combined, _leftWidth);
            var key = _key(row);
            var matched = false;
            // NULL never equals anything, so a NULL key has no match.
            var time = row[_timeIndex].IsNull ? long.MaxValue : row[_timeIndex].AsLong;
            if (!key.IsNull && _table.Lookup(key, time) is { } tableRow)
            {
                Array.Copy(tableRow, 0, combined, _leftWidth, _rightWidth);
                matched = _residual is null || _residual(combined);
                if (!matched)
                {
                    Array.Clear(combined, _leftWidth, _rightWidth);
                }
            }

            if (matched || _keepUnmatched)
            {
                batch.Set(kept++, combined, batch.Op(i));
            }
        }

        batch.Truncate(kept);
    }
}
