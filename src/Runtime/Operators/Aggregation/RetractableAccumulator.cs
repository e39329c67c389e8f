using System.Buffers;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// Makes any aggregate retractable by keeping the argument tuples it was fed, in arrival order, and recomputing the inner
/// aggregate over them after a retraction: what PostgreSQL gives when it recomputes over the remaining rows in arrival order.
/// <para>
/// <see cref="Remove"/> drops the earliest kept tuple identical to the arguments (same kinds and values, and the same display
/// form: NUMERIC scale, the sign of a zero); failing that, the earliest one equal to them (<see cref="Value.Equals(Value)"/>).
/// Identical tuples are interchangeable, so for the usual caller, which retracts exactly what it added, the choice among
/// them cannot change a result. Retracting a tuple that was never added throws <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// Adds go straight to a live inner accumulator; a retraction discards it and the next <see cref="Result"/> replays the kept
/// tuples into a fresh one (the result is cached until the next change). State grows with the group's live inputs, and
/// <see cref="Save"/> writes them all.
/// </para>
/// </summary>
public sealed class RetractableAccumulator(Func<IAccumulator> inner) : IAccumulator
{
    private readonly List<Value[]> _inputs = [];
    private IAccumulator? _current = inner();
    private Value _result;
    private bool _resultValid;

    /// <summary>Argument tuples currently kept (added and not retracted).</summary>
    public int Count => _inputs.Count;

    public void Add(Value[] arguments)
    {
        var copy = arguments.Length == 0 ? [] : (Value[])arguments.Clone();
        _inputs.Add(copy);
        _current?.Add(copy);
        _resultValid = false;
    }

    public bool Remove(Value[] arguments)
    {
        var index = _inputs.FindIndex(kept => Identical(kept, arguments));
        if (index < 0)
        {
            index = _inputs.FindIndex(kept => kept.AsSpan().SequenceEqual(arguments));
        }

        if (index < 0)
        {
            throw new InvalidOperationException("retracting aggregate arguments that were never added");
        }

        _inputs.RemoveAt(index);
        _current = null;
        _resultValid = false;
        return true;
    }

    public Value Result()
    {
        if (_resultValid)
        {
            return _result;
        }

        if (_current is null)
        {
            var fresh = inner();
            foreach (var tuple in _inputs)
            {
                fresh.Add(tuple);
            }

            _current = fresh;
        }

        _result = _current.Result();
        _resultValid = true;
        return _result;
    }

    /// <summary>The kept tuples: their count, then each as a row (<see cref="ValueCodec.WriteRow"/>).</summary>
    public void Save(IBufferWriter<byte> output)
    {
        output.WriteLength(_inputs.Count);
        foreach (var tuple in _inputs)
        {
            ValueCodec.WriteRow(output, tuple);
        }
    }

    public void Load(ref StateReader reader)
    {
        _inputs.Clear();
        var count = reader.ReadLength();
        for (var i = 0; i < count; i++)
        {
            _inputs.Add(ValueCodec.ReadRow(ref reader));
        }

        _current = null;
        _resultValid = false;
    }

    private static bool Identical(Value[] a, Value[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (!x.Equals(y))
            {
                return false;
            }

            var same = x.Kind switch
            {
                ValueKind.Numeric => x.AsNumeric.Scale == y.AsNumeric.Scale && decimal.IsNegative(x.AsNumeric) == decimal.IsNegative(y.AsNumeric),
                ValueKind.Double or ValueKind.Real => BitConverter.DoubleToInt64Bits(x.AsDouble) == BitConverter.DoubleToInt64Bits(y.AsDouble),
                _ => true,
            };
            if (!same)
            {
                return false;
            }
        }

        return true;
    }
}
