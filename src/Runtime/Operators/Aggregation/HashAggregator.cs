using StreamSql.Planner.Logical;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>Groups a finite input (a pull query) in memory by its key values and emits one row per group: keys, then aggregates.</summary>
public sealed class HashAggregator
{
    private readonly Func<Value[], Value>[] _keys;
    private readonly Func<Value[], Value>[][] _arguments;
    private readonly Func<IAccumulator>[] _factories;
    private readonly Dictionary<RowKey, IAccumulator[]> _groups = [];
    private readonly bool _global;

    public HashAggregator(LogicalAggregate aggregate)
    {
        _keys = aggregate.Keys.Select(ExpressionCompiler.Compile).ToArray();
        _arguments = aggregate.Aggregates.Select(a => a.Arguments.Select(ExpressionCompiler.Compile).ToArray()).ToArray();
        _factories = aggregate.Aggregates.Select(Accumulators.Factory).ToArray();
        _global = aggregate.Keys.Count == 0;
    }

    public void Add(Value[] row)
    {
        var key = new Value[_keys.Length];
        for (var i = 0; i < key.Length; i++)
        {
            key[i] = _keys[i](row);
        }

        var groupKey = new RowKey(key);
        if (!_groups.TryGetValue(groupKey, out var accumulators))
        {
            accumulators = _factories.Select(f => f()).ToArray();
            _groups[groupKey] = accumulators;
        }

        for (var a = 0; a < accumulators.Length; a++)
        {
            var args = new Value[_arguments[a].Length];
            for (var i = 0; i < args.Length; i++)
            {
                args[i] = _arguments[a][i](row);
            }

            accumulators[a].Add(args);
        }
    }

    /// <summary>One row per group; an aggregate without GROUP BY over no rows still gives one row (count 0, sum NULL).</summary>
    public IEnumerable<Value[]> Results()
    {
        if (_global && _groups.Count == 0)
        {
            _groups[new RowKey([])] = _factories.Select(f => f()).ToArray();
        }

        foreach (var (key, accumulators) in _groups)
        {
            var row = new Value[key.Values.Length + accumulators.Length];
            key.Values.CopyTo(row, 0);
            for (var a = 0; a < accumulators.Length; a++)
            {
                row[key.Values.Length + a] = accumulators[a].Result();
            }

            yield return row;
        }
    }
}
