namespace StreamSql.Runtime.Tables;

/// <summary>
/// Offsets of a changelog partition whose records the engine itself encoded for the table (its query's appends): a
/// materialization may store them without decoding, since they decode by construction. One writer (the query's sink) and
/// one reader (the partition's materialization), in offset order on both sides.
/// </summary>
public sealed class OwnRecordRanges
{
    // Appends of the one writer usually follow each other: a range that starts where the last one ended extends it, so
    // the ranges of a materialization that has not started yet (it starts at the table's first reader) stay few.
    private readonly Queue<(long Start, long End)> _ranges = new();
    private (long Start, long End)? _last;
    private readonly object _gate = new();

    // The range the reader last found its offset in (only the reader uses these): offsets in it were noted for good, so
    // the records of a range are answered without the lock.
    private long _foundStart = long.MaxValue;
    private long _foundEnd = long.MinValue;

    /// <summary>Notes that offsets [first, first + count) hold records the engine encoded.</summary>
    public void Add(long first, int count)
    {
        if (count <= 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_last is { } last && last.End == first)
            {
                _last = (last.Start, first + count);
                return;
            }

            if (_last is { } previous)
            {
                _ranges.Enqueue(previous);
            }

            _last = (first, first + count);
        }
    }

    /// <summary>True when the record at offset is one the engine encoded; offsets must be asked in increasing order.</summary>
    public bool Contains(long offset)
    {
        if (offset >= _foundStart && offset < _foundEnd)
        {
            return true;
        }

        lock (_gate)
        {
            while (true)
            {
                (long Start, long End) range;
                if (_ranges.TryPeek(out var queued))
                {
                    range = queued;
                }
                else if (_last is { } last)
                {
                    range = last;
                }
                else
                {
                    return false;
                }

                if (offset < range.Start)
                {
                    return false;
                }

                if (offset < range.End)
                {
                    (_foundStart, _foundEnd) = range;
                    return true;
                }

                if (_ranges.Count > 0)
                {
                    _ranges.Dequeue();
                }
                else
                {
                    _last = null;
                }
            }
        }
    }

    /// <summary>How many separate ranges are held (for tests: adjacent appends merge).</summary>
    public int RangeCount
    {
        get
        {
            lock (_gate)
            {
                return _ranges.Count + (_last is null ? 0 : 1);
            }
        }
    }
}
