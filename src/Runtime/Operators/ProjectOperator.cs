using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators;

/// <summary>Computes each row's output columns into a new row.</summary>
public sealed class ProjectOperator : IBatchOperator
{
    private readonly Func<Value[], Value>[] _expressions;

    // The input column each output column copies (-1: computed by its expression). A plain column list copies values
    // without a delegate call each.
    private readonly int[] _columns;
    private readonly bool _onlyColumns;

    public ProjectOperator(Func<Value[], Value>[] expressions, int[]? columns = null)
    {
        _expressions = expressions;
        _columns = columns ?? [.. expressions.Select(_ => -1)];
        if (_columns.Length != expressions.Length)
        {
            throw new ArgumentException("one column index per expression", nameof(columns));
        }

        _onlyColumns = Array.TrueForAll(_columns, c => c >= 0);
    }

    public void Process(RowBatch batch)
    {
        var columns = _columns;
        for (var i = 0; i < batch.Count; i++)
        {
            var input = batch.Row(i);
            var output = new Value[columns.Length];
            if (_onlyColumns)
            {
                for (var c = 0; c < columns.Length; c++)
                {
                    output[c] = input[columns[c]];
                }
            }
            else
            {
                for (var c = 0; c < columns.Length; c++)
                {
                    output[c] = columns[c] >= 0 ? input[columns[c]] : _expressions[c](input);
                }
            }

            batch.Set(i, output, batch.Op(i));
        }
    }
}
