using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators;

/// <summary>Keeps rows whose compiled predicate is TRUE, compacting the batch in place.</summary>
public sealed class FilterOperator : IBatchOperator
{
    private readonly Func<Value[], bool> _predicate;

    public FilterOperator(Func<Value[], bool> predicate) => _predicate = predicate;

    public void Process(RowBatch batch)
    {
        var kept = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var row = batch.Row(i);
            if (_predicate(row))
            {
                batch.Set(kept++, row, batch.Op(i));
            }
        }

        batch.Truncate(kept);
    }
}
