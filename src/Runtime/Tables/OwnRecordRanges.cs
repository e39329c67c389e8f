using System.Collections.Concurrent;

namespace StreamSql.Runtime.Tables;

/// <summary>
/// Offsets of a changelog partition whose records the engine itself encoded for the table (its query's appends): a
/// materialization may store them without decoding, since they decode by construction. One writer (the query's sink) and
/// one reader (the partition's materialization), in offset order on both sides.
/// </summary>
public sealed class OwnRecordRanges
{
    private readonly ConcurrentQueue<(long Start, long End)> _ranges = new();

    /// <summary>Notes that offsets [first, first + count) hold records the engine encoded.</summary>
    public void Add(long first, int count)
    {
        if (count > 0)
        {
            _ranges.Enqueue((first, first + count));
        }
    }

    /// <summary>True when the record at offset is one the engine encoded; offsets must be asked in increasing order.</summary>
    public bool Contains(long offset)
    {
        while (_ranges.TryPeek(out var range))
        {
            if (offset < range.Start)
            {
                return false;
            }

            if (offset < range.End)
            {
                return true;
            }

            _ranges.TryDequeue(out _);
        }

        return false;
    }
}
