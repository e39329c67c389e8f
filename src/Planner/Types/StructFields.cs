using System.Collections;

namespace StreamSql.Planner.Types;

/// <summary>The ordered fields of a STRUCT type, compared by content so struct types compare by value as other types do.</summary>
public sealed class StructFields(IEnumerable<StructField> fields) : IReadOnlyList<StructField>, IEquatable<StructFields>
{
    private readonly StructField[] _fields = fields.ToArray();

    public int Count => _fields.Length;

    public StructField this[int index] => _fields[index];

    /// <summary>The position of a field by exact name, else case-insensitively (ksqlDB field names are case-insensitive unless quoted); -1 when absent.</summary>
    public int IndexOf(string name)
    {
        var exact = Array.FindIndex(_fields, f => f.Name == name);
        return exact >= 0 ? exact : Array.FindIndex(_fields, f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    public IEnumerator<StructField> GetEnumerator() => ((IEnumerable<StructField>)_fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _fields.GetEnumerator();

    public bool Equals(StructFields? other) => other is not null && _fields.AsSpan().SequenceEqual(other._fields);

    public override bool Equals(object? obj) => obj is StructFields other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var f in _fields)
        {
            hash.Add(f);
        }

        return hash.ToHashCode();
    }
}
