using System.Buffers;
using System.Text.Json;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// Turns a table's changelog rows (carrying their event time last) into records: an upsert keyed by the primary key, or a
/// tombstone (no value) for a delete. A one-column key is that column in the key format; a longer key a JSON array.
/// </summary>
public sealed class TableRecordEncoder
{
    private readonly RowCodec _codec;
    private readonly int[] _keyColumns;
    private readonly KeyFormat? _singleKey;

    public TableRecordEncoder(StreamDefinition table)
    {
        _codec = new RowCodec(table);
        _keyColumns = table.PrimaryKey.Select(name => table.Columns.ToList().FindIndex(c => c.Name == name)).ToArray();
        _singleKey = table.KeyIndex >= 0 ? new KeyFormat(table.KeyFormat, table.Columns[table.KeyIndex].Type) : null;
    }

    public ProducedRecord Encode(Value[] row, ChangeOp op)
    {
        var timestamp = TextValues.TimestampToMillis(row[^1].AsLong);
        var key = KeyOf(row);
        if (op is ChangeOp.Delete or ChangeOp.UpdateBefore)
        {
            return new ProducedRecord(key, null, timestamp);
        }

        return _codec.Encode(row, timestamp) with { Key = key };
    }

    public byte[] KeyOf(Value[] row)
    {
        if (_singleKey is not null)
        {
            return _singleKey.Serialize(row[_keyColumns[0]]) ?? [];
        }

        var writer = PooledJsonWriter.Rent(out var buffer);
        writer.WriteStartArray();
        foreach (var column in _keyColumns)
        {
            JsonValueFormat.WriteValue(writer, row[column]);
        }

        writer.WriteEndArray();
        return PooledJsonWriter.ToArray(writer, buffer);
    }
}
