namespace StreamSql.Runtime.Rows;

/// <summary>A row used as a dictionary key: equal when every value is equal (NULLs equal each other, as GROUP BY and DISTINCT want).</summary>
public readonly struct RowKey(Value[] values) : IEquatable<RowKey>
{
    public Value[] Values { get; } = values;

    public bool Equals(RowKey other) => Values.AsSpan().SequenceEqual(other.Values);

    public override bool Equals(object? obj) => obj is RowKey k && Equals(k);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var v in Values)
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }
}
