using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>Turns a source record into rows with their change ops: a stream record is one insert; a table's record an upsert or delete.</summary>
public interface IRecordDecoder
{
    /// <summary>Adds the record's rows to batch; false with a reason when the record does not match the schema.</summary>
    bool TryDecode(TopicRecord record, int partition, RowBatch batch, out string? error);
}
