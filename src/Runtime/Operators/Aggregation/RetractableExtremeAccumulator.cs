using System.Buffers;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators.Aggregation;

/// <summary>
/// min/max that retract, over values ordered by their 64-bit integer (smallint, integer, bigint, date, timestamp): a count
/// per distinct value and a sorted set of the values, so an add, a retraction and the result are O(log n) in the distinct
/// values kept, where <see cref="RetractableAccumulator"/> scans its kept inputs on a retraction and recomputes the
/// extreme over all of them. The result is the same: NULLs are ignored, and equal values are interchangeable. State is
/// the distinct values with their counts.
/// </summary>
public sealed class RetractableExtremeAccumulator(bool greatest) : IAccumulator
{
    private readonly SortedSet<long> _values = [];
    private readonly Dictionary<long, (Value Value, long Count)> _counts = [];

    /// <summary>The input types whose ordering is that of <see cref="Value.AsLong"/>.</summary>
    public static bool Supports(SqlTypeKind input) =>
        input is SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt or SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz;

    public void Add(Value[] arguments)
    {
        var v = arguments[0];
        if (v.IsNull)
        {
            return;
        }

        var key = v.AsLong;
        if (_counts.TryGetValue(key, out var entry))
        {
            _counts[key] = (entry.Value, entry.Count + 1);
        }
        else
        {
            _counts[key] = (v, 1);
            _values.Add(key);
        }
    }

    public bool Remove(Value[] arguments)
    {
        var v = arguments[0];
        if (v.IsNull)
        {
            return true;
        }

        var key = v.AsLong;
        if (!_counts.TryGetValue(key, out var entry))
        {
            throw new InvalidOperationException("retracting aggregate arguments that were never added");
        }

        if (entry.Count == 1)
        {
            _counts.Remove(key);
            _values.Remove(key);
        }
        else
        {
            _counts[key] = (entry.Value, entry.Count - 1);
        }

        return true;
    }

    public Value Result() => _values.Count == 0 ? Value.Null : _counts[greatest ? _values.Max : _values.Min].Value;

    public void Save(IBufferWriter<byte> output)
    {
        output.WriteLength(_counts.Count);
        foreach (var (value, count) in _counts.Values)
        {
            ValueCodec.Write(output, value);
            output.WriteVarInt64(count);
        }
    }

    public void Load(ref StateReader reader)
    {
        _values.Clear();
        _counts.Clear();
        var distinct = reader.ReadLength();
        for (var i = 0; i < distinct; i++)
        {
            var value = ValueCodec.Read(ref reader);
            var count = reader.ReadVarInt64();
            _counts[value.AsLong] = (value, count);
            _values.Add(value.AsLong);
        }
    }
}
