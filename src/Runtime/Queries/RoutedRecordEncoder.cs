using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// Writes a stage's rows (carrying their event time last) to an internal topic keyed by routing expressions, so the rows
/// of one group or join key meet in one partition of the next stage. A retraction (delete, update-before) carries the op
/// header that the stream decoder turns back into a retraction.
/// </summary>
public sealed class RoutedRecordEncoder(StreamDefinition internalStream, Func<Value[], Value>[] keys)
{
    private static readonly RecordHeader[] Retraction = [new(StreamRecordDecoder.OpHeader, [(byte)'-'])];

    private readonly RowCodec _codec = new(internalStream);

    public ProducedRecord Encode(Value[] row, ChangeOp op)
    {
        var key = new Value[keys.Length];
        for (var k = 0; k < key.Length; k++)
        {
            key[k] = keys[k](row);
        }

        var record = _codec.Encode(row, TextValues.TimestampToMillis(row[^1].AsLong));
        return record with { Key = ValueCodec.EncodeKey(key), Headers = op is ChangeOp.Delete or ChangeOp.UpdateBefore ? Retraction : null };
    }
}
