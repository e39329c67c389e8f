using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// Writes a persistent query's output rows (built with carryRowTime) into its sink topic, then commits the source offset the
/// batch ends at. Batches of one query are written one at a time, each announced by an <see cref="OutputIntent"/>, so that
/// recovery after a crash can tell exactly which output of the last batch already landed (no loss, no duplicates).
/// </summary>
public sealed class TopicRowSink : IRowSink
{
    private readonly ITopicLog _topic;
    private readonly Func<Value[], ChangeOp, ProducedRecord> _encode;
    private readonly OffsetStore _offsets;
    private readonly SemaphoreSlim _gate;
    private readonly long[]? _alreadyWritten;

    /// <param name="alreadyWritten">Recovery only: per sink partition, how many leading records of the replayed output are already in the topic.</param>
    public TopicRowSink(ITopicLog topic, RowCodec codec, OffsetStore offsets, SemaphoreSlim gate, long[]? alreadyWritten = null)
        : this(topic, StreamEncoder(codec), offsets, gate, alreadyWritten)
    {
    }

    /// <param name="encode">Makes the record of an output row and its op (a table's sink writes upserts and tombstones).</param>
    public TopicRowSink(ITopicLog topic, Func<Value[], ChangeOp, ProducedRecord> encode, OffsetStore offsets, SemaphoreSlim gate, long[]? alreadyWritten = null)
    {
        _topic = topic;
        _encode = encode;
        _offsets = offsets;
        _gate = gate;
        _alreadyWritten = alreadyWritten;
    }

    /// <summary>A stream's records: the pipeline carries the input ROWTIME as the last value, so output records keep the event time.</summary>
    public static Func<Value[], ChangeOp, ProducedRecord> StreamEncoder(RowCodec codec) =>
        (row, _) => codec.Encode(row, TextValues.TimestampToMillis(row[^1].AsLong));

    public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        long[]? fences = null;
        try
        {
            // A join batch commits two offsets: its intent is saved even without output, so that a crash between the two
            // commits is completed from the intent (both inputs) rather than left half committed.
            if (_alreadyWritten is null && (batch.Count > 0 || batch.PairedPartition >= 0))
            {
                var ends = SaveIntent(batch);

                // Read-committed: the batch's output stays invisible until its source offsets are committed.
                if (batch.Count > 0)
                {
                    fences = ends;
                    for (var p = 0; p < ends.Length; p++)
                    {
                        _topic.Fence(p, ends[p]);
                    }
                }
            }

            if (batch.Count > 0)
            {
                await WriteRowsAsync(batch).ConfigureAwait(false);
            }

            // A replay commits once, at its end: a crash in the middle must replay (and skip) from the same start again.
            if (_alreadyWritten is null)
            {
                _offsets.Save(batch.Partition, batch.EndOffset);
                if (batch.PairedPartition >= 0)
                {
                    _offsets.Save(batch.PairedPartition, batch.PairedEndOffset);
                }
            }
        }
        finally
        {
            if (fences is not null)
            {
                for (var p = 0; p < fences.Length; p++)
                {
                    _topic.Unfence(p, fences[p]);
                }
            }

            _gate.Release();
        }
    }

    private long[] SaveIntent(RowBatch batch)
    {
        var ends = new long[_topic.PartitionCount];
        for (var p = 0; p < ends.Length; p++)
        {
            ends[p] = _topic.LogEndOffset(p);
        }

        var join = batch.PairedPartition >= 0 ? new JoinIntent(batch.StartOffset, batch.PairedPartition, batch.PairedStartOffset, batch.PairedEndOffset) : null;
        _offsets.SaveIntent(new OutputIntent(batch.Partition, batch.EndOffset, ends, join));
        return ends;
    }

    private async Task WriteRowsAsync(RowBatch batch)
    {
        var byPartition = new List<ProducedRecord>?[_topic.PartitionCount];
        for (var i = 0; i < batch.Count; i++)
        {
            var record = _encode(batch.Row(i), batch.Op(i));

            // Unkeyed output stays in the source's partition number, so a replay sends every record where it went before.
            var partition = record.Key is null ? batch.Partition % _topic.PartitionCount : Partitioner.ForKey(record.Key, _topic.PartitionCount);
            (byPartition[partition] ??= []).Add(record);
        }

        for (var p = 0; p < byPartition.Length; p++)
        {
            if (byPartition[p] is not { } records)
            {
                continue;
            }

            if (_alreadyWritten is not null && _alreadyWritten[p] > 0)
            {
                var skip = (int)Math.Min(_alreadyWritten[p], records.Count);
                _alreadyWritten[p] -= skip;
                records = records.GetRange(skip, records.Count - skip);
            }

            if (records.Count > 0)
            {
                // Not cancellable: output and its offset commit must not be split by a shutdown.
                await _topic.AppendAsync(p, records, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
