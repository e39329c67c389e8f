using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tables;

/// <summary>
/// The rows of one partition of a table as a stream–table join task has applied its changelog so far (by record key, in
/// memory). Unlike the shared <see cref="TableState"/>, which follows the topic on its own, these rows move only when the
/// task applies the next changelog record, so each stream row is looked up against the table as of its event time.
/// Each key also keeps its earlier versions for <see cref="HistoryMicros"/> of event time (as Kafka Streams' versioned
/// stores do): a stream row arriving out of order, after a later change of its key was applied, still finds the row
/// its key had at the row's time.
/// </summary>
public sealed class PartitionTableRows : Operators.ITableLookup
{
    /// <summary>How long a superseded version stays findable: ksqlDB's default grace (rows later than that are late anyway).</summary>
    public const long HistoryMicros = 24L * 3600 * 1_000_000;

    /// <summary>At most this many earlier versions per key, so a key updated very often does not hold a day of rows.</summary>
    public const int MaxOlderVersions = 64;

    private readonly Dictionary<byte[], KeyVersions> _rows = new(State.ByteArrayComparer.Instance);
    private readonly RowCodec _codec;
    private readonly KeyFormat? _key;
    private readonly int _partition;
    // Versions superseded more than HistoryMicros before the stream's time (the latest a lookup asked for) are dropped;
    // before any lookup (rebuilding at start) the changelog's own latest time stands in for it.
    private long _streamTime = long.MinValue;
    private long _tableTime = long.MinValue;

    public PartitionTableRows(StreamDefinition table, int partition)
    {
        Table = table;
        _codec = new RowCodec(table);
        _key = table.KeyIndex >= 0 ? new KeyFormat(table.KeyFormat, table.Columns[table.KeyIndex].Type) : null;
        _partition = partition;
    }

    public StreamDefinition Table { get; }

    /// <summary>The event time of a changelog record (microseconds): its row's ROWTIME (the timestamp column when the table has one), else the record's.</summary>
    public long TimeOf(TopicRecord record, out Value[]? row)
    {
        row = null;
        if (record.Key is null || record.Value is null)
        {
            return TextValues.TimestampFromMillis(record.Timestamp);
        }

        var decoded = new Value[_codec.RowWidth];
        if (!_codec.TryDecode(record, _partition, decoded, out _))
        {
            return TextValues.TimestampFromMillis(record.Timestamp);
        }

        row = decoded;
        return decoded[Table.Columns.Count].AsLong;
    }

    /// <summary>Applies one changelog record (when time is unknown, pass null row: both are computed here).</summary>
    public bool Apply(TopicRecord record, out string? error) => Apply(record, null, TimeOf(record, out _), out error);

    /// <summary>
    /// Applies one changelog record at its event time: an upsert of its key (row decoded by <see cref="TimeOf"/>, or
    /// decoded here), or a tombstone. False when it is unusable.
    /// </summary>
    public bool Apply(TopicRecord record, Value[]? row, long time, out string? error)
    {
        error = null;
        if (record.Key is null)
        {
            error = "a table's record has no key";
            return false;
        }

        if (record.Value is not null && row is null)
        {
            row = new Value[_codec.RowWidth];
            if (!_codec.TryDecode(record, _partition, row, out error))
            {
                return false;
            }
        }

        _tableTime = Math.Max(_tableTime, time);
        if (!_rows.TryGetValue(record.Key, out var versions))
        {
            if (row is not null)
            {
                _rows[record.Key] = new KeyVersions(time, row);
            }

            return true;
        }

        versions.Add(time, row);
        var now = _streamTime != long.MinValue ? _streamTime : _tableTime;
        versions.Prune(now < long.MinValue + HistoryMicros ? long.MinValue : now - HistoryMicros);
        if (versions.IsGone)
        {
            _rows.Remove(record.Key);
        }

        return true;
    }

    /// <summary>The row the key had at the given event time (its latest version for a time before none is kept).</summary>
    public Value[]? Lookup(Value key, long time)
    {
        if (_key is null || key.IsNull || _key.Serialize(key) is not { } bytes)
        {
            return null;
        }

        if (time != long.MaxValue)
        {
            _streamTime = Math.Max(_streamTime, time);
        }

        return _rows.TryGetValue(bytes, out var versions) ? versions.At(time) : null;
    }

    // The task applies the changelog itself, in event-time order: there is nothing to wait for.
    public ValueTask CatchUpAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// One key's versions by the event time each became current: the latest in fields (the common case, one version, needs
    /// no list), earlier ones in a list in time order; a null row is a deletion.
    /// </summary>
    private sealed class KeyVersions(long from, Value[]? row)
    {
        private long _latestFrom = from;
        private Value[]? _latest = row;
        private List<(long From, Value[]? Row)>? _older;

        // Set once versions were dropped: a time before the oldest kept one then finds that one (the nearest known), not
        // "no row".
        private bool _truncated;

        /// <summary>True when the key is deleted and no earlier version is kept: nothing to remember.</summary>
        public bool IsGone => _latest is null && (_older is null || _older.Count == 0);

        public void Add(long from, Value[]? row)
        {
            _older ??= [];
            if (from >= _latestFrom)
            {
                _older.Add((_latestFrom, _latest));
                (_latestFrom, _latest) = (from, row);
                return;
            }

            // A change older than the latest (the changelog out of order): it goes in its place in time.
            var i = _older.Count;
            while (i > 0 && _older[i - 1].From > from)
            {
                i--;
            }

            _older.Insert(i, (from, row));
        }

        /// <summary>Drops the versions superseded at or before horizon (a row that old is late): they can no longer be asked for.</summary>
        public void Prune(long horizon)
        {
            if (_older is null)
            {
                return;
            }

            var drop = Math.Max(0, _older.Count - MaxOlderVersions);
            while (drop < _older.Count && (drop + 1 < _older.Count ? _older[drop + 1].From : _latestFrom) <= horizon)
            {
                drop++;
            }

            if (drop > 0)
            {
                _older.RemoveRange(0, drop);
                _truncated = true;
            }
        }

        public Value[]? At(long time)
        {
            if (time >= _latestFrom)
            {
                return _latest;
            }

            if (_older is null || _older.Count == 0)
            {
                // Before the first version: the key had no row then (unless that history was dropped).
                return _truncated ? _latest : null;
            }

            for (var i = _older.Count - 1; i >= 0; i--)
            {
                if (_older[i].From <= time)
                {
                    return _older[i].Row;
                }
            }

            return _truncated ? _older[0].Row : null;
        }
    }
}
