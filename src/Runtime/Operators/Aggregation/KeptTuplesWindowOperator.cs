using System.Buffers;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// What the session and sliding window operators share: their windows are made by the records themselves, so each key
/// keeps its records' argument tuples in state, and an index of window ends (rebuilt from the state at start) lets stream
/// time close windows without scanning the state.
/// </summary>
public abstract class KeptTuplesWindowOperator : IBatchOperator
{
#pragma warning disable SA1401, CA1051 // The two operators work on these directly; they are this class's reason to exist.
    protected readonly Func<Value[], Value>[] _keys;
    protected readonly Func<Value[], Value>[][] _arguments;
    protected readonly Func<IAccumulator>[] _factories;
    protected readonly Func<Value[], bool>? _having;
    protected readonly Func<Value[], Value> _eventTime;
    protected readonly AggregateWindow _window;
    protected readonly bool _emitFinal;
    protected readonly IStateStore _store;
    protected readonly Action<long>? _onLate;
    protected readonly List<(Value[] Row, ChangeOp Op)> _input = [];

    protected readonly ArrayBufferWriter<byte> _buffer = new(256);
    protected long _streamTime = long.MinValue;

    // When no aggregate has arguments (count(*)), the one tuple every row has; tuples are never modified, so rows share it.
    protected readonly Value[][]? _noArguments;
#pragma warning restore SA1401, CA1051

    protected KeptTuplesWindowOperator(LogicalAggregate aggregate, Func<Value[], Value>[] keys, Func<Value[], Value>[][] arguments, Func<Value[], bool>? having,
        Func<Value[], Value> eventTime, bool emitFinal, IStateStore store, Action<long>? onLate)
    {
        _keys = keys;
        _arguments = arguments;
        _factories = aggregate.Aggregates.Select(a => Accumulators.Factory(a)).ToArray();
        _having = having;
        _eventTime = eventTime;
        _window = aggregate.Window!;
        _emitFinal = emitFinal;
        _store = store;
        _onLate = onLate;
        _noArguments = Array.TrueForAll(arguments, a => a.Length == 0) ? [.. arguments.Select(_ => Array.Empty<Value>())] : null;
    }

    public abstract void Process(RowBatch batch);

    /// <summary>Rebuilds the index of window ends from the state and restores the stream time; call once constructed.</summary>
    protected void Restore()
    {
        var entries = new List<(byte[] Key, byte[] Value)>();
        _store.Scan((key, value) =>
        {
            if (!StreamTimeState.IsKey(key))
            {
                entries.Add((key.ToArray(), value.ToArray()));
            }

            return true;
        });
        foreach (var (stateKey, value) in entries)
        {
            foreach (var end in EndsOf(value))
            {
                Track(end, stateKey);
            }
        }

        _streamTime = StreamTimeState.Load(_store, _streamTime);
    }

    /// <summary>The window ends a key's stored state holds (each tracked for closing).</summary>
    protected abstract IEnumerable<long> EndsOf(byte[] stored);

    protected Value[][] Arguments(Value[] row)
    {
        if (_noArguments is { } none)
        {
            return none;
        }

        var tuples = new Value[_arguments.Length][];
        for (var a = 0; a < tuples.Length; a++)
        {
            var tuple = new Value[_arguments[a].Length];
            for (var x = 0; x < tuple.Length; x++)
            {
                tuple[x] = _arguments[a][x](row);
            }

            tuples[a] = tuple;
        }

        return tuples;
    }

    /// <summary>Indexes a key under a window end it has, for closing (each operator keeps its own index of ends).</summary>
    protected abstract void Track(long end, byte[] stateKey);
}
