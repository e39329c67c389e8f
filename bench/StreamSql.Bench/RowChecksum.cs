using StreamSql.Runtime.Rows;

namespace StreamSql.Bench;

/// <summary>
/// An order-independent checksum of rows: each row's fields are hashed in order, rows are summed. Values hash by their
/// meaning, not their representation: integers as longs, timestamps as epoch microseconds, decimals as doubles, strings
/// by string.GetHashCode (stable within one process, which is where engine and baseline are compared).
/// </summary>
public sealed class RowChecksum
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;
    private ulong _row = Offset;

    public ulong Sum { get; private set; }

    public long Rows { get; private set; }

    public void Add(long value) => _row = (_row ^ (ulong)value) * Prime + 0x9E3779B97F4A7C15UL;

    public void Add(double value) => Add(BitConverter.DoubleToInt64Bits(value));

    public void Add(decimal value) => Add((double)value);

    public void Add(string? value)
    {
        if (value is null)
        {
            AddNull();
        }
        else
        {
            Add((long)value.GetHashCode() ^ ((long)value.Length << 32));
        }
    }

    public void AddNull() => Add(unchecked((long)0xDEADBEEFCAFEBABEUL));

    public void AddTimestampMillis(long millis) => Add(millis * 1000);

    public void EndRow()
    {
        var z = _row;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        Sum += z ^ (z >> 31);
        Rows++;
        _row = Offset;
    }

    /// <summary>Adds an engine row's first width values.</summary>
    public void AddRow(Value[] row, int width)
    {
        for (var i = 0; i < width; i++)
        {
            var v = row[i];
            switch (v.Kind)
            {
                case ValueKind.Null:
                    AddNull();
                    break;
                case ValueKind.String:
                    Add(v.AsString);
                    break;
                case ValueKind.Numeric:
                    Add(v.AsNumeric);
                    break;
                case ValueKind.Double or ValueKind.Real:
                    Add(v.AsDouble);
                    break;
                default:
                    // Integers, booleans, dates; timestamps as microseconds.
                    Add(v.AsLong);
                    break;
            }
        }

        EndRow();
    }
}
