using System.Globalization;
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
    private readonly List<string>? _fields;

    public RowChecksum()
    {
    }

    /// <summary>Also keeps each row as text (the engine's display: timestamps as yyyy-MM-dd HH:mm:ss[.fff], dates as yyyy-MM-dd), for writing expected results.</summary>
    public RowChecksum(bool keepText)
    {
        _fields = keepText ? [] : null;
    }

    public List<string> TextRows { get; } = [];

    public ulong Sum { get; private set; }

    public long Rows { get; private set; }

    public void Add(long value)
    {
        _fields?.Add(value.ToString(CultureInfo.InvariantCulture));
        Hash(value);
    }

    private void Hash(long value) => _row = (_row ^ (ulong)value) * Prime + 0x9E3779B97F4A7C15UL;

    public void Add(double value)
    {
        _fields?.Add(value.ToString(CultureInfo.InvariantCulture));
        Hash(BitConverter.DoubleToInt64Bits(value));
    }

    public void Add(decimal value)
    {
        _fields?.Add(value.ToString(CultureInfo.InvariantCulture));
        Hash(BitConverter.DoubleToInt64Bits((double)value));
    }

    /// <summary>A DATE, as days since 1970-01-01 (hashed like the engine's date value).</summary>
    public void AddDate(long days)
    {
        _fields?.Add(DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Hash(days);
    }

    public void Add(string? value)
    {
        if (value is null)
        {
            AddNull();
        }
        else
        {
            _fields?.Add(value);
            Hash((long)value.GetHashCode() ^ ((long)value.Length << 32));
        }
    }

    public void AddNull()
    {
        _fields?.Add("NULL");
        Hash(unchecked((long)0xDEADBEEFCAFEBABEUL));
    }

    public void AddTimestampMillis(long millis)
    {
        if (_fields is not null)
        {
            var t = DateTimeOffset.FromUnixTimeMilliseconds(millis).UtcDateTime;
            var text = t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            _fields.Add(millis % 1000 == 0 ? text : text + "." + (millis % 1000).ToString("000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        Hash(millis * 1000);
    }

    public void EndRow()
    {
        var z = _row;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        Sum += z ^ (z >> 31);
        Rows++;
        if (_fields is not null)
        {
            TextRows.Add(string.Join(' ', _fields));
            _fields.Clear();
        }

        _row = Offset;
    }

    /// <summary>Adds another checksum's rows (the sum is order-independent, so parts computed apart add up to the whole).</summary>
    public void Merge(RowChecksum other)
    {
        Sum += other.Sum;
        Rows += other.Rows;
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
