namespace StreamSql.Runtime.Rows;

/// <summary>The value of a STRUCT: its field values in the type's field order, with the (shared) field names for printing.</summary>
public sealed class StructValue(string[] names, Value[] fields) : IEquatable<StructValue>
{
    public string[] Names { get; } = names;

    public Value[] Fields { get; } = fields;

    public bool Equals(StructValue? other) => other is not null && Names.AsSpan().SequenceEqual(other.Names) && Fields.AsSpan().SequenceEqual(other.Fields);

    public override bool Equals(object? obj) => obj is StructValue other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var field in Fields)
        {
            hash.Add(field);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => CompositeText.Format(Value.FromStruct(this));
}
