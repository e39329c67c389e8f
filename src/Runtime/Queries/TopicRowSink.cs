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
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, List<ProducedRecord>[]> _bySourcePartition = new();

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

    /// <summary>
    /// Kafka mode: each batch's output and input offsets go out as one transaction (no intents or fences needed: an
    /// interrupted transaction is aborted when the query's producer starts again). The function names the input offset of a
    /// (virtual) source partition.
    /// </summary>
    public (ITransactionalOutput Output, Func<int, long, InputOffset> InputOffset)? Transactional { get; init; }

    /// <summary>Rows are encoded before the commit's first wait, except in a transaction (encoded under the gate) or a replay.</summary>
    public bool TakesRowsWhenCalled => Transactional is null && _alreadyWritten is null;

    /// <summary>Told after each append to the embedded topic: the partition, the first offset and the count of records appended.</summary>
    public Action<int, long, int>? OnAppended { get; init; }

    public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
    {
        if (Transactional is { } transactional && _alreadyWritten is null)
        {
            await WriteTransactionAsync(batch, transactional.Output, transactional.InputOffset).ConfigureAwait(false);
            return;
        }

        var hasOutput = batch.Count > 0;
        if (!hasOutput && batch.PairedPartition < 0 && _alreadyWritten is null)
        {
            // Nothing to append: the offset is committed with the next record the query's progress log writes (the
            // next batch's intent, a periodic commit, the one before a checkpoint). A crash before then reads the batch
            // again, and no output past the committed offset had landed (an intent commits the pending offsets with it).
            // So the tasks of a stage whose batches mostly have no output (a windowed maximum between window ends) do not
            // take turns flushing an offset each.
            _offsets.SaveLater(batch.Partition, batch.EndOffset);
            return;
        }

        // Encoded before the gate: the query's partition tasks encode in parallel, only the commit (intent, append,
        // offsets) is one at a time.
        var encoded = hasOutput ? Encode(batch) : null;
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        long[]? fences = null;
        try
        {
            // A join batch commits two offsets: its intent is saved even without output, so that a crash between the two
            // commits is completed from the intent (both inputs) rather than left half committed.
            if (_alreadyWritten is null && (hasOutput || batch.PairedPartition >= 0))
            {
                var ends = SaveIntent(batch);

                // Read-committed: the batch's output stays invisible until its source offsets are committed.
                if (hasOutput)
                {
                    fences = ends;
                    for (var p = 0; p < ends.Length; p++)
                    {
                        _topic.Fence(p, ends[p]);
                    }
                }
            }

            if (encoded is not null)
            {
                await AppendAsync(encoded).ConfigureAwait(false);
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

    private async Task WriteTransactionAsync(RowBatch batch, ITransactionalOutput output, Func<int, long, InputOffset> inputOffset)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var records = new List<TransactionalRecord>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var record = _encode(batch.Row(i), batch.Op(i));
                records.Add(new TransactionalRecord(_topic.Name, PartitionOf(record, batch), record));
            }

            List<InputOffset> offsets = [inputOffset(batch.Partition, batch.EndOffset)];
            if (batch.PairedPartition >= 0)
            {
                offsets.Add(inputOffset(batch.PairedPartition, batch.PairedEndOffset));
            }

            // Not cancellable: a shutdown waits for the transaction rather than leaving it to time out.
            await output.CommitAsync(records, offsets, CancellationToken.None).ConfigureAwait(false);

            // The local copy only saves a look-up at start; the group's committed offsets are the truth (the larger wins).
            _offsets.Save(batch.Partition, batch.EndOffset);
            if (batch.PairedPartition >= 0)
            {
                _offsets.Save(batch.PairedPartition, batch.PairedEndOffset);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // Unkeyed output stays in the source's partition number, so a replay sends every record where it went before.
    private int PartitionOf(ProducedRecord record, RowBatch batch) =>
        record.Key is null ? batch.Partition % _topic.PartitionCount : Partitioner.ForKey(record.Key, _topic.PartitionCount);

    /// <summary>The batch's rows as records, by sink partition, in lists kept per source partition (one batch at a time each).</summary>
    private List<ProducedRecord>[] Encode(RowBatch batch)
    {
        // Kept between batches: a batch's lists reach the large object heap.
        var byPartition = _bySourcePartition.GetOrAdd(batch.Partition, _ => new List<ProducedRecord>[_topic.PartitionCount]);
        for (var p = 0; p < byPartition.Length; p++)
        {
            (byPartition[p] ??= []).Clear();
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var record = _encode(batch.Row(i), batch.Op(i));
            byPartition[PartitionOf(record, batch)].Add(record);
        }

        // The rows are encoded: let them go now rather than after the commit wait (garbage collections during the wait
        // would promote a whole batch of dead rows). The batch's partition and offsets stay.
        batch.Clear();
        return byPartition;
    }

    // Under the gate: one batch's appends at a time.
    private readonly List<(int Partition, int Count, ValueTask<long> First)> _appends = [];

    /// <summary>
    /// Appends to every sink partition at once, then waits for all: each partition's log flushes on its own, so a batch
    /// whose rows go to two partitions waits for one flush, not two in a row (q5 with two workers: 2.6 ms per partition).
    /// </summary>
    private async Task AppendAsync(List<ProducedRecord>[] byPartition)
    {
        _appends.Clear();
        Exception? failure = null;
        for (var p = 0; p < byPartition.Length && failure is null; p++)
        {
            var records = byPartition[p];
            if (records.Count == 0)
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
                try
                {
                    // Not cancellable: output and its offset commit must not be split by a shutdown.
                    _appends.Add((p, records.Count, _topic.AppendAsync(p, records, CancellationToken.None)));
                }
                catch (Exception e)
                {
                    failure = e;
                }

                // The topic took the records when called: they need not outlive the commit wait.
                records.Clear();
            }
        }

        // Every started append is awaited, also after one failed: the batch then fails as a whole, as before.
        foreach (var (partition, count, append) in _appends)
        {
            try
            {
                var first = await append.ConfigureAwait(false);
                OnAppended?.Invoke(partition, first, count);
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }

        _appends.Clear();

        // The records' arrays are the topic's now (or garbage): drop them, keep the lists.
        foreach (var records in byPartition)
        {
            records.Clear();
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }
}
