using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators;

/// <summary>
/// SELECT DISTINCT over an unbounded input (push queries): a row passes the first time it is seen and never again.
/// The seen rows are the keys of a state store (canonical key bytes, so rows DISTINCT treats as equal - 1.5 and 1.50,
/// -0 and 0 - share one key); a push query's store lives in memory and dies with the query.
/// Safe to call from several partition tasks at once: the check and the insert are one step.
/// </summary>
public sealed class DistinctOperator : IBatchOperator
{
    private static readonly byte[] Seen = [1];
    private readonly IStateStore _seen;
    private readonly Lock _gate = new();

    public DistinctOperator(IStateStore seen) => _seen = seen;

    /// <summary>Distinct rows seen so far (the size of the state).</summary>
    public long Count => _seen.Count;

    public void Process(RowBatch batch)
    {
        var kept = 0;
        lock (_gate)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var row = batch.Row(i);
                var key = ValueCodec.EncodeKey(row);
                if (_seen.TryGet(key, out _))
                {
                    continue;
                }

                _seen.Put(key, Seen);
                batch.Set(kept++, row, batch.Op(i));
            }
        }

        batch.Truncate(kept);
    }
}
