using System.Buffers;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tables;

/// <summary>
/// The rows of one partition of a table as a stream–table join task has applied its changelog so far, by record key, in
/// a state store (FASTER for a persistent query: bounded by --state-memory and checkpointed with the changelog offset;
/// memory for a push query). Unlike the shared <see cref="TableState"/>, which follows the topic on its own, these rows
/// move only when the task applies the next changelog record, so each stream row is looked up against the table as of
/// its event time. Each key also keeps its earlier versions for <see cref="HistoryMicros"/> of event time (as Kafka
/// Streams' versioned stores do): a stream row arriving out of order, after a later change of its key was applied, still
/// finds the row its key had at the row's time.
/// </summary>
public sealed class PartitionTableRows : Operators.ITableLookup
{
    /// <summary>How long a superseded version stays findable: ksqlDB's default grace (rows later than that are late anyway).</summary>
    public const long HistoryMicros = 24L * 3600 * 1_000_000;

    /// <summary>At most this many earlier versions per key, so a key updated very often does not hold a day of rows.</summary>
    public const int MaxOlderVersions = 64;

    // Rows are stored under 0 + the record key; the progress (changelog offset and times) under ProgressKey.
    private static readonly byte[] ProgressKey = [1];

    private readonly IStateStore _store;
    private readonly RowCodec _codec;
    private readonly KeyFormat? _key;
    private readonly int _partition;
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private byte[] _storeKey = new byte[64];

    // Versions superseded more than HistoryMicros before the stream's time (the latest a lookup asked for) are dropped;
    // before any lookup (rebuilding at start) the changelog's own latest time stands in for it.
    private long _streamTime = long.MinValue;
    private long _tableTime = long.MinValue;

    /// <param name="store">Where the rows live; a store restored from a checkpoint brings the changelog offset it is at.</param>
    public PartitionTableRows(StreamDefinition table, int partition, IStateStore store)
    {
        Table = table;
        _store = store;
        _codec = new RowCodec(table);
        _key = table.KeyIndex >= 0 ? new KeyFormat(table.KeyFormat, table.Columns[table.KeyIndex].Type) : null;
        _partition = partition;
        if (store.TryGet(ProgressKey, out var progress) && progress is not null)
        {
            var reader = new StateReader(progress);
            RestoredTableOffset = reader.ReadInt64();
            _streamTime = reader.ReadInt64();
            _tableTime = reader.ReadInt64();
        }
    }

    public StreamDefinition Table { get; }

    /// <summary>The changelog offset the rows were at when the store's checkpoint was taken (null: a new store).</summary>
    public long? RestoredTableOffset { get; }

    /// <summary>Records, beside the rows, the changelog offset they correspond to (before a checkpoint).</summary>
    public void SaveProgress(long tableOffset)
    {
        _buffer.ResetWrittenCount();
        _buffer.WriteInt64(tableOffset);
        _buffer.WriteInt64(_streamTime);
        _buffer.WriteInt64(_tableTime);
        _store.Put(ProgressKey, _buffer.WrittenSpan);
    }

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

    /// <summary>Applies one changelog record (rebuilding at start: its row and time are computed here).</summary>
    public bool Apply(TopicRecord record, out string? error)
    {
        var time = TimeOf(record, out var row);
        return Apply(record, row, time, out error);
    }

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
        var storeKey = StoreKey(record.Key);
        var versions = Load(storeKey);
        if (versions is null)
        {
            if (row is not null)
            {
                Save(storeKey, new KeyVersions(time, row));
            }

            return true;
        }

        versions.Add(time, row);
        var now = _streamTime != long.MinValue ? _streamTime : _tableTime;
        versions.Prune(now < long.MinValue + HistoryMicros ? long.MinValue : now - HistoryMicros);
        if (versions.IsGone)
        {
            _store.Delete(storeKey);
        }
        else
        {
            Save(storeKey, versions);
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

        return Load(StoreKey(bytes))?.At(time);
    }

    // The task applies the changelog itself, in event-time order: there is nothing to wait for.
    public ValueTask CatchUpAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private ReadOnlySpan<byte> StoreKey(byte[] key)
    {
        if (_storeKey.Length < key.Length + 1)
        {
            _storeKey = new byte[key.Length * 2 + 1];
        }

        _storeKey[0] = 0;
        key.CopyTo(_storeKey, 1);
        return _storeKey.AsSpan(0, key.Length + 1);
    }

    private KeyVersions? Load(ReadOnlySpan<byte> storeKey)
    {
        if (!_store.TryGet(storeKey, out var bytes) || bytes is null)
        {
            return null;
        }

        var reader = new StateReader(bytes);
        return KeyVersions.Read(ref reader);
    }

    private void Save(ReadOnlySpan<byte> storeKey, KeyVersions versions)
    {
        _buffer.ResetWrittenCount();
        versions.Write(_buffer);
        _store.Put(storeKey, _buffer.WrittenSpan);
    }

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

        public static KeyVersions Read(ref StateReader reader)
        {
            var versions = new KeyVersions(reader.ReadInt64(), ReadRow(ref reader)) { _truncated = reader.ReadBoolean() };
            var older = reader.ReadInt32();
            if (older > 0)
            {
                versions._older = new List<(long, Value[]?)>(older + 1);
                for (var i = 0; i < older; i++)
                {
                    versions._older.Add((reader.ReadInt64(), ReadRow(ref reader)));
                }
            }

            return versions;
        }

        public void Write(ArrayBufferWriter<byte> output)
        {
            output.WriteInt64(_latestFrom);
            WriteRow(output, _latest);
            output.WriteBoolean(_truncated);
            output.WriteInt32(_older?.Count ?? 0);
            if (_older is not null)
            {
                foreach (var (from, row) in _older)
                {
                    output.WriteInt64(from);
                    WriteRow(output, row);
                }
            }
        }

        private static Value[]? ReadRow(ref StateReader reader) => reader.ReadBoolean() ? ValueCodec.ReadRow(ref reader) : null;

        private static void WriteRow(ArrayBufferWriter<byte> output, Value[]? row)
        {
            output.WriteBoolean(row is not null);
            if (row is not null)
            {
                ValueCodec.WriteRow(output, row);
            }
        }

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

        /// <summary>Drops the versions superseded at or before horizon (a row that old is late), and all but the newest MaxOlderVersions.</summary>
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
