namespace StreamSql.Runtime.Expressions;

/// <summary>A field or unit of a timestamp, as date_trunc and date_part name them.</summary>
internal enum TimeField
{
    Unknown,
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
    Millennium,
    Epoch,
    DayOfWeek,
    IsoDayOfWeek,
    DayOfYear,
}

/// <summary>
/// Resolves a unit's name (any case) to its field. The unit is nearly always a constant, the same string object row
/// after row: the last few names resolved are remembered by reference, so a row costs a comparison or two instead of a
/// lower-casing scan and a string switch. A few, as one query often names the same unit in several literals (q8's three
/// date_trunc('minute', ...)), each its own string object.
/// </summary>
internal sealed class TimeFieldNames(Dictionary<string, TimeField> names)
{
    private const int Remembered = 4;
    private readonly Dictionary<string, TimeField> _names = new(names, StringComparer.OrdinalIgnoreCase);

    // Each slot is replaced whole (one reference write), so rows evaluated on several threads never see a name with
    // another's field; which slot a new name takes is only a choice of what to forget.
    private readonly Resolved?[] _recent = new Resolved?[Remembered];
    private int _next;

    public TimeField Find(string name)
    {
        foreach (var recent in _recent)
        {
            if (recent is not null && ReferenceEquals(recent.Name, name))
            {
                return recent.Field;
            }
        }

        var field = _names.GetValueOrDefault(name, TimeField.Unknown);
        _recent[(_next++ & int.MaxValue) % Remembered] = new Resolved(name, field);
        return field;
    }

    private sealed record Resolved(string Name, TimeField Field);
}
