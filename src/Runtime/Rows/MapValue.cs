namespace StreamSql.Runtime.Rows;

/// <summary>The value of a MAP: keys (text, unique) and their values, in insertion order; compared by content.</summary>
public sealed class MapValue(Value[] keys, Value[] values) : IEquatable<MapValue>
{
    public Value[] Keys { get; } = keys;

    public Value[] Values { get; } = values;

    /// <summary>The value under key, or NULL when the map has no such key.</summary>
    public Value Get(Value key)
    {
        for (var i = 0; i < Keys.Length; i++)
        {
            if (Keys[i].Equals(key))
            {
                return Values[i];
            }
        }

        return Value.Null;
    }

    public bool Equals(MapValue? other) => other is not null && Keys.AsSpan().SequenceEqual(other.Keys) && Values.AsSpan().SequenceEqual(other.Values);

    public override bool Equals(object? obj) => obj is MapValue other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (var i = 0; i < Keys.Length; i++)
        {
            hash.Add(Keys[i]);
            hash.Add(Values[i]);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => CompositeText.Format(Value.FromMap(this));
}
