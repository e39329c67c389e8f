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
/// after row: the last name resolved is remembered by reference, so a row costs one comparison instead of a
/// lower-casing scan and a string switch.
/// </summary>
internal sealed class TimeFieldNames(Dictionary<string, TimeField> names)
{
    private readonly Dictionary<string, TimeField> _names = new(names, StringComparer.OrdinalIgnoreCase);

    // Replaced whole (one reference write), so rows evaluated on several threads never see a name with another's field.
    private Resolved? _last;

    public TimeField Find(string name)
    {
        if (_last is { } last && ReferenceEquals(last.Name, name))
        {
            return last.Field;
        }

        var field = _names.GetValueOrDefault(name, TimeField.Unknown);
        _last = new Resolved(name, field);
        return field;
    }

    private sealed record Resolved(string Name, TimeField Field);
}
