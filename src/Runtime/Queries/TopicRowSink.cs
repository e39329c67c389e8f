using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>Writes a persistent query's output rows (built with carryRowTime) into its sink topic, then commits the source offset the batch ends at.</summary>
public sealed class TopicRowSink : IRowSink
{
    private readonly ITopicLog _topic;
    private readonly RowCodec _codec;
    private readonly OffsetStore _offsets;
    private int _roundRobin;

    public TopicRowSink(ITopicLog topic, RowCodec codec, OffsetStore offsets)
    {
        _topic = topic;
        _codec = codec;
        _offsets = offsets;
    }

    public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count > 0)
        {
            var byPartition = new List<ProducedRecord>?[_topic.PartitionCount];
            for (var i = 0; i < batch.Count; i++)
            {
                // The pipeline carries the input ROWTIME as the last value; output records keep the event time.
                var row = batch.Row(i);
                var record = _codec.Encode(row, TextValues.TimestampToMillis(row[^1].AsLong));
                var partition = _codec.PartitionFor(record, _topic.PartitionCount, ref _roundRobin);
                (byPartition[partition] ??= []).Add(record);
            }

            for (var p = 0; p < byPartition.Length; p++)
            {
                if (byPartition[p] is { } records)
                {
                    // Not cancellable: output and its offset commit must not be split by a shutdown.
                    await _topic.AppendAsync(p, records, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        _offsets.Save(batch.Partition, batch.EndOffset);
    }
}
