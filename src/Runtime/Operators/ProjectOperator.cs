using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators;

/// <summary>Replaces each row by the values of the compiled output expressions.</summary>
public sealed class ProjectOperator : IBatchOperator
{
    private readonly Func<Value[], Value>[] _expressions;

    public ProjectOperator(Func<Value[], Value>[] expressions) => _expressions = expressions;

    public void Process(RowBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var input = batch.Row(i);
            var output = new Value[_expressions.Length];
            for (var c = 0; c < _expressions.Length; c++)
            {
                output[c] = _expressions[c](input);
            }

            batch.Set(i, output, batch.Op(i));
        }
    }
}
