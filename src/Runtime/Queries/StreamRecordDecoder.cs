using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// A stream's records: each is one inserted row. Records of an internal repartition topic may carry an "op" header
/// ("-" retracts the row), so a table's changes keep their meaning across the repartition.
/// </summary>
public sealed class StreamRecordDecoder(RowCodec codec) : IRecordDecoder
{
    public const string OpHeader = "streamsql.op";

    public bool TryDecode(TopicRecord record, int partition, RowBatch batch, out string? error) =>
        TryDecode(record, partition, batch, new Value[codec.RowWidth], out error);

    public bool TryDecode(TopicRecord record, int partition, RowBatch batch, RowArrayPool rows, out string? error) =>
        TryDecode(record, partition, batch, rows.Rent(codec.RowWidth, overwritten: codec.FillsEveryColumn(record)), out error);

    public bool TryDecode(in BorrowedRecord record, int partition, RowBatch batch, RowArrayPool? rows, out string? error)
    {
        if (record.HasHeaders)
        {
            // A retraction is marked in a header; records with headers come copied anyway.
            var copied = record.ToRecord();
            return rows is null ? TryDecode(copied, partition, batch, out error) : TryDecode(copied, partition, batch, rows, out error);
        }

        var row = rows?.Rent(codec.RowWidth, overwritten: false) ?? new Value[codec.RowWidth];
        if (!codec.TryDecode(record, partition, row, out error))
        {
            return false;
        }

        batch.Add(row, ChangeOp.Insert);
        return true;
    }

    private bool TryDecode(TopicRecord record, int partition, RowBatch batch, Value[] row, out string? error)
    {
        if (!codec.TryDecode(record, partition, row, out error))
        {
            return false;
        }

        batch.Add(row, IsRetraction(record) ? ChangeOp.Delete : ChangeOp.Insert);
        return true;
    }

    private static bool IsRetraction(TopicRecord record)
    {
        if (record.Headers is not { Count: > 0 } headers)
        {
            return false;
        }

        foreach (var header in headers)
        {
            if (header.Key == OpHeader && header.Value is [(byte)'-'])
            {
                return true;
            }
        }

        return false;
    }
}
