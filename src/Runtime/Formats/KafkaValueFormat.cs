using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Formats;

/// <summary>value_format 'KAFKA': the single value column in Kafka's primitive serde (big-endian INT/BIGINT/DOUBLE, UTF-8 STRING).</summary>
public sealed class KafkaValueFormat : IValueFormat
{
    private readonly FormatColumn _column;
    private readonly KeyFormat _serde;

    public KafkaValueFormat(FormatColumn column)
    {
        _column = column;
        _serde = new KeyFormat(SourceFormat.Kafka, column.Type);
    }

    public byte[]? Serialize(Value[] row) => _serde.Serialize(row[_column.RowIndex]);

    public bool TryDeserialize(ReadOnlySpan<byte> bytes, Value[] row, out string? error)
    {
        var ok = _serde.TryDeserialize(bytes, out row[_column.RowIndex], out error);
        if (!ok)
        {
            error = "value: " + error;
        }

        return ok;
    }
}
