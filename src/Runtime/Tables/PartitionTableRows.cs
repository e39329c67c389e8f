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
/// </summary>
public sealed class PartitionTableRows : Operators.ITableLookup
{
    private readonly Dictionary<byte[], Value[]> _rows = new(State.ByteArrayComparer.Instance);
    private readonly RowCodec _codec;
    private readonly KeyFormat? _key;
    private readonly int _partition;

    public PartitionTableRows(StreamDefinition table, int partition)
    {
        Table = table;
        _codec = new RowCodec(table);
        _key = table.KeyIndex >= 0 ? new KeyFormat(table.KeyFormat, table.Columns[table.KeyIndex].Type) : null;
        _partition = partition;
    }

    public StreamDefinition Table { get; }

    public int Count => _rows.Count;

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

    /// <summary>Applies one changelog record: an upsert of its key (row decoded by <see cref="TimeOf"/>, or decoded here), or a tombstone. False when it is unusable.</summary>
    public bool Apply(TopicRecord record, Value[]? row, out string? error)
    {
        error = null;
        if (record.Key is null)
        {
            error = "a table's record has no key";
            return false;
        }

        if (record.Value is null)
        {
            _rows.Remove(record.Key);
            return true;
        }

        if (row is null)
        {
            row = new Value[_codec.RowWidth];
            if (!_codec.TryDecode(record, _partition, row, out error))
            {
                return false;
            }
        }

        _rows[record.Key] = row;
        return true;
    }

    public Value[]? Lookup(Value key)
    {
        if (_key is null || key.IsNull || _key.Serialize(key) is not { } bytes)
        {
            return null;
        }

        return _rows.TryGetValue(bytes, out var row) ? row : null;
    }

    // The task applies the changelog itself, in event-time order: there is nothing to wait for.
    public ValueTask CatchUpAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
