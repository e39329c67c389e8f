using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Formats;

/// <summary>Encodes rows of a stream into topic records and decodes records into rows (declared columns, then ROWTIME, ROWPARTITION, ROWOFFSET).</summary>
public sealed class RowCodec
{
    private readonly StreamDefinition _stream;
    private readonly KeyFormat? _key;
    private readonly IValueFormat _value;

    /// <param name="readColumns">Row indexes the query reads (null: all); the others are left NULL when decoding.</param>
    public RowCodec(StreamDefinition stream, IReadOnlyList<int>? readColumns = null)
    {
        _stream = stream;
        // The timestamp column gives ROWTIME, read or not.
        if (readColumns is not null && stream.TimestampIndex >= 0 && !readColumns.Contains(stream.TimestampIndex))
        {
            readColumns = [.. readColumns, stream.TimestampIndex];
        }

        _readColumns = readColumns;
        _readKey = readColumns is null || readColumns.Contains(stream.KeyIndex);
        var valueColumns = new List<FormatColumn>();
        for (var i = 0; i < stream.Columns.Count; i++)
        {
            if (!stream.Columns[i].IsKey)
            {
                valueColumns.Add(new FormatColumn(stream.Columns[i].Name, stream.Columns[i].Type, i));
            }
        }

        _key = stream.KeyIndex >= 0 ? new KeyFormat(stream.KeyFormat, stream.Columns[stream.KeyIndex].Type) : null;
        _value = stream.ValueFormat switch
        {
            SourceFormat.Delimited => new DelimitedValueFormat(valueColumns, stream.ValueDelimiter[0]),
            SourceFormat.Kafka => new KafkaValueFormat(valueColumns[0]),
            SourceFormat.Internal => new InternalValueFormat(valueColumns),
            _ => new JsonValueFormat(readColumns is null ? valueColumns : valueColumns.FindAll(c => readColumns.Contains(c.RowIndex))),
        };
    }

    private readonly bool _readKey;
    private readonly IReadOnlyList<int>? _readColumns;

    public int RowWidth => _stream.RowSchema.Count;

    /// <summary>Encodes the declared columns of row; the record timestamp comes from the timestamp column when the stream has one.</summary>
    public ProducedRecord Encode(Value[] row, long defaultTimestampMillis)
    {
        var key = _key is null ? null : _key.Serialize(row[_stream.KeyIndex]);
        var timestamp = defaultTimestampMillis;
        if (_stream.TimestampIndex >= 0 && !row[_stream.TimestampIndex].IsNull)
        {
            var ts = row[_stream.TimestampIndex];
            timestamp = ts.Kind == ValueKind.Timestamp ? TextValues.TimestampToMillis(ts.AsLong) : ts.AsLong;
        }

        return new ProducedRecord(key, _value.Serialize(row), timestamp);
    }

    /// <summary>Whether TryDecode writes every value of the row for this record (a generated one's), not only those it finds.</summary>
    public bool FillsEveryColumn(TopicRecord record) => record is Nexmark.GeneratedTopicRecord;

    /// <summary>Decodes a record into row (length RowWidth); false with a reason when the record does not match the schema.</summary>
    public bool TryDecode(TopicRecord record, int partition, Value[] row, out string? error)
    {
        if (record is Nexmark.GeneratedTopicRecord generated)
        {
            error = null;
            FillGenerated(generated, row);
            SetPseudocolumns(record.Timestamp, record.Offset, partition, row);
            return true;
        }

        return TryDecode(new BorrowedRecord(record), partition, row, out error);
    }

    /// <summary>As <see cref="TryDecode(TopicRecord, int, Value[], out string?)"/>, from a record's bytes in place.</summary>
    public bool TryDecode(in BorrowedRecord record, int partition, Value[] row, out string? error)
    {
        error = null;
        if (!record.HasValue)
        {
            error = "record has no value (tombstone)";
            return false;
        }

        if (!_value.TryDeserialize(record.Value, row, out error))
        {
            return false;
        }

        if (_key is not null && _readKey)
        {
            if (!record.HasKey)
            {
                row[_stream.KeyIndex] = Value.Null;
            }
            else if (!_key.TryDeserialize(record.Key, out row[_stream.KeyIndex], out error))
            {
                return false;
            }
        }

        SetPseudocolumns(record.Timestamp, record.Offset, partition, row);
        return true;
    }

    private void SetPseudocolumns(long timestamp, long offset, int partition, Value[] row)
    {
        var declared = _stream.Columns.Count;
        var rowtime = TextValues.TimestampFromMillis(timestamp);
        if (_stream.TimestampIndex >= 0 && !row[_stream.TimestampIndex].IsNull)
        {
            var ts = row[_stream.TimestampIndex];
            rowtime = ts.Kind == ValueKind.Timestamp ? ts.AsLong : TextValues.TimestampFromMillis(ts.AsLong);
        }

        row[declared] = Value.FromTimestamp(rowtime);
        row[declared + 1] = Value.FromInt(partition);
        row[declared + 2] = Value.FromBigInt(offset);
    }

    private Nexmark.NexmarkGeneratedTopic? _generatedSource;

    // For each declared column, the event's field it reads (-1: NULL).
    private int[]? _generatedFields;

    /// <summary>A generated Nexmark record: the declared columns straight from the event, no bytes decoded.</summary>
    private ulong _generatedMask;

    private void FillGenerated(Nexmark.GeneratedTopicRecord record, Value[] row)
    {
        if (!ReferenceEquals(_generatedSource, record.Source))
        {
            _generatedFields = record.Source.FieldIndexes(_stream.Columns);
            _generatedSource = record.Source;

            // As a decoded record's, the columns the query does not read stay NULL (a join then stores less).
            var read = new List<string>();
            for (var i = 0; i < _generatedFields.Length; i++)
            {
                if (_readColumns is not null && !_readColumns.Contains(i))
                {
                    _generatedFields[i] = -1;
                }
                else if (_generatedFields[i] >= 0)
                {
                    read.Add(_stream.Columns[i].Name);
                }
            }

            // And the generator does not build their text.
            _generatedMask = record.Source.FieldsOf(read);
        }

        record.Source.Fill(record.EventNumber, _generatedMask, _generatedFields!, row);
    }

    /// <summary>The partition for a row: by key hash when it has a key, round-robin otherwise.</summary>
    public int PartitionFor(in ProducedRecord record, int partitions, ref int roundRobin) =>
        record.Key is null ? (int)((uint)Interlocked.Increment(ref roundRobin) % (uint)partitions) : Partitioner.ForKey(record.Key, partitions);
}
