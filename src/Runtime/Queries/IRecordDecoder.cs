using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>Turns a source record into rows with their change ops: a stream record is one insert; a table's record an upsert or delete.</summary>
public interface IRecordDecoder
{
    /// <summary>Adds the record's rows to batch; false with a reason when the record does not match the schema.</summary>
    bool TryDecode(TopicRecord record, int partition, RowBatch batch, out string? error);

    /// <summary>As TryDecode, taking the rows' arrays from rows where the decoder can (the rows must not outlive their use).</summary>
    bool TryDecode(TopicRecord record, int partition, RowBatch batch, RowArrayPool rows, out string? error) =>
        TryDecode(record, partition, batch, out error);

    /// <summary>As TryDecode, from a record's bytes in place (rows from rows when given); the record is copied only where a decoder keeps it.</summary>
    bool TryDecode(in BorrowedRecord record, int partition, RowBatch batch, RowArrayPool? rows, out string? error) =>
        rows is null ? TryDecode(record.ToRecord(), partition, batch, out error) : TryDecode(record.ToRecord(), partition, batch, rows, out error);

    /// <summary>
    /// The records are a table's changelog and the reader needs only their net effect per key within a batch: the task
    /// decodes each key's last record of a batch only (see <see cref="LatestRecordPerKey"/>).
    /// </summary>
    bool NetEffectPerBatch => false;

    /// <summary>
    /// Decoding a record again gives the same rows: the decoder keeps no state that decoding changes (a changelog decoder
    /// remembers each key's row, so a second decode of an upsert would retract the row it just added).
    /// </summary>
    bool DecodesAgainAlike => true;
}
