using StreamSql.Parser.Errors;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>Runs a query's pipeline over one source partition: read records, decode, process, hand to the sink.</summary>
public sealed class PartitionTask
{
    // Larger batches amortize per-batch work (commit, checkpoint check) and, for consolidated aggregations, merge more
    // updates of a group into one output record; a caught-up reader gets smaller batches anyway (what is there). A
    // stateful task's batch holds up to MaxBatch records (LargeBatch where the pipeline takes large ones) or about
    // MaxBatchBytes of keys and values, whichever is fewer: each batch takes as many records as the previous one's
    // average size allows (the first, FirstBatch).
    private const int MaxBatch = 16384;
    private const int LargeBatch = 65536;
    private const int FirstBatch = 256;
    private const int MaxBatchBytes = 16 << 20;
    private readonly int _maxBatch;
    private int _batchRecords = FirstBatch;
    private readonly ITopicLog _topic;
    private readonly int _partition;
    private readonly IRecordDecoder _decoder;
    private readonly PartitionPipeline _pipeline;
    private readonly IRowSink _sink;
    private readonly QueryMetrics _metrics;
    private readonly bool _skipFailingRows;
    private readonly ErrorTopic? _errors;
    private readonly LatestRecordPerKey? _latest;
    private readonly bool _wholeRangeReplay;
    private readonly List<(Value[] Row, ChangeOp Op)> _inputs = [];

    /// <param name="skipFailingRows">Persistent queries skip (and count) a row an expression fails on; push queries report the error.</param>
    /// <param name="errors">Where records that do not deserialize are written (persistent queries); they are always counted and logged.</param>
    public PartitionTask(ITopicLog topic, int partition, RowCodec codec, PartitionPipeline pipeline, IRowSink sink, QueryMetrics metrics, bool skipFailingRows,
        ErrorTopic? errors = null)
        : this(topic, partition, new StreamRecordDecoder(codec), pipeline, sink, metrics, skipFailingRows, errors)
    {
    }

    public PartitionTask(ITopicLog topic, int partition, IRecordDecoder decoder, PartitionPipeline pipeline, IRowSink sink, QueryMetrics metrics, bool skipFailingRows,
        ErrorTopic? errors = null)
    {
        _errors = errors;
        _topic = topic;
        _partition = partition;
        _decoder = decoder;
        _pipeline = pipeline;
        _sink = sink;
        _metrics = metrics;
        _skipFailingRows = skipFailingRows;
        _latest = decoder.NetEffectPerBatch ? new LatestRecordPerKey() : null;
        _wholeRangeReplay = _latest is not null || pipeline.OutputDependsOnBatches;
        _maxBatch = pipeline.TakesLargeBatches ? LargeBatch : MaxBatch;
    }

    /// <summary>
    /// Processes from fromOffset until cancelled, or until stopAt (exclusive) when given. With overlap (a live run into a
    /// sink that takes rows when called, no record latencies observed), a batch's commit runs while the next is processed.
    /// </summary>
    public async Task RunAsync(long fromOffset, long? stopAt, Action<int, long>? onProgress, CancellationToken cancellationToken, BatchOverlap? overlap = null)
    {
        _onProgress = onProgress;
        _overlap = stopAt is null && _sink.TakesRowsWhenCalled && _metrics.LatencyObserver is null ? overlap : null;
        Exception? failure = null;
        try
        {
            await RunBatchesAsync(fromOffset, stopAt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            if (_committing is not null)
            {
                // The last batch's commit completes either way. After a failure the state may be past it: no checkpoint then.
                if (failure is null)
                {
                    await AwaitCommitAsync(consistent: true).ConfigureAwait(false);
                }
                else
                {
                    try
                    {
                        await AwaitCommitAsync(consistent: false).ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        // The task's own failure is the one reported.
                    }
                }
            }
        }
    }

    private Action<int, long>? _onProgress;
    private BatchOverlap? _overlap;

    // The previous batch's commit, in flight while the next batch is read and processed (with overlap only).
    private CommittingBatch? _committing;

    private sealed record CommittingBatch(Task Write, RowBatch Batch);

    /// <summary>The batch's commit, observing its processing latency (read to output committed) when it completes, not when awaited.</summary>
    private async Task CommitAsync(ValueTask write, long readAt, int read)
    {
        await write.ConfigureAwait(false);
        _metrics.ObserveProcessingLatency(readAt, read);
    }

    /// <summary>Waits for the previous batch's commit and reports its progress (consistent: the state is at its end).</summary>
    private async ValueTask AwaitCommitAsync(bool consistent)
    {
        var committing = _committing!;
        _committing = null;
        await committing.Write.ConfigureAwait(false);
        (consistent ? _onProgress : _overlap!.Advance)?.Invoke(_partition, committing.Batch.EndOffset);
    }

    /// <summary>Before processing a batch: when a checkpoint is due, the previous commit is awaited first (state at its end).</summary>
    private ValueTask BeforeProcessingAsync() =>
        _committing is not null && _overlap!.ConsistentProgressDue(_partition) ? AwaitCommitAsync(consistent: true) : ValueTask.CompletedTask;

    /// <summary>Before waiting for input: the previous batch's commit is awaited, so a caught-up task has reported all its progress.</summary>
    private ValueTask BeforeWaitingAsync() => _committing is not null ? AwaitCommitAsync(consistent: true) : ValueTask.CompletedTask;

    /// <summary>The batch to fill next: not the one whose commit is in flight.</summary>
    private RowBatch Fillable(RowBatch batch)
    {
        if (_committing is null || !ReferenceEquals(_committing.Batch, batch))
        {
            return batch;
        }

        _spare ??= new RowBatch { Partition = _partition };
        (_spare, batch) = (batch, _spare);
        return batch;
    }

    private RowBatch? _spare;

    private async Task RunBatchesAsync(long fromOffset, long? stopAt, CancellationToken cancellationToken)
    {
        using var reader = _topic.OpenReader(_partition, fromOffset);
        // A client's query without state reads small batches: nothing is committed per batch, so large ones only keep
        // more records and rows alive (q0 read from a topic: 2.5 s of 10.7 s in collections with 16,384, 0.1 s of 7.8 s
        // with 1,024) and make the first rows wait for the whole batch.
        var adaptive = _pipeline.IsStateful || _sink.CommitsPerBatch;
        var records = new List<TopicRecord>(adaptive ? FirstBatch : PartRecords);
        var batch = new RowBatch { Partition = _partition };
        var bad = new List<(TopicRecord Record, string Reason)>();

        // Records decoded as the reader hands them over need no copy of their bytes; not where the batch's records are
        // needed after reading (a batch's net effect per key, replays of a whole range, decoding in parts).
        var lender = reader is IBorrowingPartitionReader borrowing && DecodesLent ? new DecodingConsumer(this, borrowing) : null;
        _recycling = reader as IRecyclingPartitionReader;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (stopAt is { } end && reader.Position >= end)
            {
                return;
            }

            // The previous batch is done (its output handed to the sink, its bad records reported): its records can be handed out again.
            _recycling?.Recycle(records);
            records.Clear();
            batch = Fillable(batch);
            // A whole-range replay's range was one live batch, to be read whole: it never exceeds the largest batch.
            var batchSize = !adaptive ? PartRecords : _wholeRangeReplay && stopAt is not null ? _maxBatch : _batchRecords;
            var max = stopAt is { } e ? (int)Math.Min(batchSize, e - reader.Position) : batchSize;
            if (lender is not null)
            {
                var (lent, lentBytes) = await RunLentBatchAsync(lender, batch, bad, max, cancellationToken).ConfigureAwait(false);
                NextBatchRecords(adaptive, lent, lentBytes);
                continue;
            }

            if (reader.TryRead(records, max) == 0)
            {
                await BeforeWaitingAsync().ConfigureAwait(false);
                await reader.ReadAsync(records, max, cancellationToken).ConfigureAwait(false);
            }

            // With a batch's net effect or consolidated output, the output depends on where batches end: a replay (of an
            // interrupted batch, whose range its intent recorded) reads its whole range as one batch, as the live run did.
            while (_wholeRangeReplay && stopAt is not null && records.Count < max)
            {
                await reader.ReadAsync(records, max - records.Count, cancellationToken).ConfigureAwait(false);
            }

            var readAt = System.Diagnostics.Stopwatch.GetTimestamp();
            NextBatchRecords(adaptive, records.Count, BytesOf(records));
            batch.Clear();
            bad.Clear();
            _latest?.Mark(records);
            _metrics.CountIn(records.Count);
            _pipeline.CountRead(records.Count);
            batch.EndOffset = reader.Position;
            // In parts only when a failing batch can be decoded again for its row-by-row redo.
            if (_pipeline.TakesBatchesInParts && _decoder.DecodesAgainAlike)
            {
                // Decoded part by part as the aggregation takes them; bad records are known once the batch is processed.
                await BeforeProcessingAsync().ConfigureAwait(false);
                await _pipeline.BeforeBatchAsync(cancellationToken).ConfigureAwait(false);
                ProcessInParts(batch, records, bad);
                await WriteBadAsync(bad, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // The previous batch's input rows are free once it was processed, when the pipeline releases them.
                var rows = _pipeline.ReleasesInputRows ? _partRows : null;
                rows?.ReturnAll();
                DecodeRange(records, 0, records.Count, batch, bad, rows);

                // Written before the batch's output and offsets, so a restart never loses a bad record (it may repeat one).
                await WriteBadAsync(bad, cancellationToken).ConfigureAwait(false);
                await BeforeProcessingAsync().ConfigureAwait(false);
                await _pipeline.BeforeBatchAsync(cancellationToken).ConfigureAwait(false);
                Process(batch, records);
            }

            await CompleteBatchAsync(batch, records.Count, readAt, records, NoTimestamps, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sizes the next batch from the one just read: as many records of its average size as MaxBatchBytes holds.</summary>
    private void NextBatchRecords(bool adaptive, int read, long bytes)
    {
        if (adaptive && read > 0)
        {
            _batchRecords = (int)Math.Clamp(MaxBatchBytes / Math.Max(1, bytes / read), 1, _maxBatch);
        }
    }

    private static long BytesOf(List<TopicRecord> records)
    {
        long bytes = 0;
        foreach (var record in records)
        {
            bytes += (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
        }

        return bytes;
    }

    private bool DecodesLent => _latest is null && !_wholeRangeReplay && !(_pipeline.TakesBatchesInParts && _decoder.DecodesAgainAlike);

    /// <summary>Whether the task decodes the records of a topic's readers in place (they lend them).</summary>
    internal bool ReadsLent(ITopicLog topic)
    {
        using var reader = topic.OpenReader(_partition, 0);
        return reader is IBorrowingPartitionReader && DecodesLent;
    }

    private ValueTask WriteBadAsync(List<(TopicRecord Record, string Reason)> bad, CancellationToken cancellationToken) =>
        _errors is null ? ValueTask.CompletedTask : _errors.WriteAsync(_metrics.QueryId, _topic.Name, _partition, bad, cancellationToken);

    /// <summary>
    /// Hands a processed batch to the sink and reports it; read records (or, lent, their timestamps) give the latencies.
    /// With overlap, the previous batch's commit is awaited first (sink order per partition), and this one's is left in flight.
    /// </summary>
    private async Task CompleteBatchAsync(RowBatch batch, int read, long readAt, List<TopicRecord> records, List<long> timestamps, CancellationToken cancellationToken)
    {
        _inputs.Clear();
        _metrics.CountOut(batch.Count);
        if (_metrics.LatencyObserver is null && records.Count > 0)
        {
            // Not needed past this point: let the records go before the output's commit wait.
            _recycling?.Recycle(records);
            records.Clear();
        }

        if (_committing is not null)
        {
            await AwaitCommitAsync(consistent: false).ConfigureAwait(false);
        }

        var write = _sink.WriteAsync(batch, cancellationToken);
        if (_overlap is not null && !write.IsCompleted)
        {
            _committing = new CommittingBatch(CommitAsync(write, readAt, read), batch);
            return;
        }

        await write.ConfigureAwait(false);
        _metrics.ObserveLatency(records);
        _metrics.ObserveLatency(timestamps);
        _metrics.ObserveProcessingLatency(readAt, read);
        _onProgress?.Invoke(_partition, batch.EndOffset);
    }

    /// <summary>One batch read through a borrowing reader: each record decoded while the reader lends its bytes.</summary>
    private async Task<(int Read, long Bytes)> RunLentBatchAsync(DecodingConsumer lender, RowBatch batch, List<(TopicRecord Record, string Reason)> bad, int max,
        CancellationToken cancellationToken)
    {
        batch.Clear();
        bad.Clear();
        var rows = _pipeline.ReleasesInputRows ? _partRows : null;
        rows?.ReturnAll();
        lender.Begin(batch, rows, bad, _metrics.LatencyObserver is not null);
        var readAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var read = lender.Reader.TryRead(lender, max);
        while (read == 0)
        {
            await BeforeWaitingAsync().ConfigureAwait(false);
            await lender.Reader.WaitAsync(cancellationToken).ConfigureAwait(false);
            readAt = System.Diagnostics.Stopwatch.GetTimestamp();
            read = lender.Reader.TryRead(lender, max);
        }

        _metrics.CountIn(read);
        _pipeline.CountRead(read);
        batch.EndOffset = lender.Reader.Position;
        await WriteBadAsync(bad, cancellationToken).ConfigureAwait(false);
        await BeforeProcessingAsync().ConfigureAwait(false);
        await _pipeline.BeforeBatchAsync(cancellationToken).ConfigureAwait(false);
        Process(batch, NoRecords);
        await CompleteBatchAsync(batch, read, readAt, NoRecords, lender.Timestamps, cancellationToken).ConfigureAwait(false);
        return (read, lender.Bytes);
    }

    private static readonly List<TopicRecord> NoRecords = [];

    // The current reader, when it takes back the records of a batch once they are done with.
    private IRecyclingPartitionReader? _recycling;
    private static readonly List<long> NoTimestamps = [];

    /// <summary>Decodes each record a borrowing reader lends into the current batch; copies only the bad ones (to report them).</summary>
    private sealed class DecodingConsumer(PartitionTask task, IBorrowingPartitionReader reader) : IBorrowedRecordConsumer
    {
        private RowBatch _batch = null!;
        private RowArrayPool? _rows;
        private List<(TopicRecord Record, string Reason)> _bad = null!;
        private bool _keepTimestamps;

        public IBorrowingPartitionReader Reader { get; } = reader;

        /// <summary>The batch's record timestamps, when a latency observer wants them.</summary>
        public List<long> Timestamps { get; } = [];

        /// <summary>The keys' and values' bytes lent in the batch.</summary>
        public long Bytes { get; private set; }

        public void Begin(RowBatch batch, RowArrayPool? rows, List<(TopicRecord Record, string Reason)> bad, bool keepTimestamps)
        {
            _batch = batch;
            _rows = rows;
            _bad = bad;
            _keepTimestamps = keepTimestamps;
            Timestamps.Clear();
            Bytes = 0;
        }

        public void Consume(in BorrowedRecord record)
        {
            Bytes += record.Key.Length + record.Value.Length;
            if (_keepTimestamps)
            {
                Timestamps.Add(record.Timestamp);
            }

            if (task._decoder.TryDecode(record, task._partition, _batch, _rows, out var error))
            {
                return;
            }

            var copied = record.ToRecord();
            task._metrics.RecordBad(task._topic.Name, task._partition, copied, error ?? "undecodable record");
            _bad.Add((copied, error ?? "undecodable record"));
        }
    }

    /// <summary>Decodes records [from, to) into batch (with a batch's net effect per key, only each key's last record); returns to.</summary>
    private int DecodeRange(List<TopicRecord> records, int from, int to, RowBatch batch, List<(TopicRecord Record, string Reason)> bad, RowArrayPool? rows = null)
    {
        for (var i = from; i < to; i++)
        {
            if (_latest is not null && !_latest.IsLatest(records, i))
            {
                continue;
            }

            if (!Decode(records[i], batch, bad, rows) && _latest is not null && records[i].Key is { } key)
            {
                // The key's last record is bad: its earlier records of the batch apply in order, as they would one by one.
                for (var j = 0; j < i; j++)
                {
                    if (records[j].Key is { } other && State.ByteArrayComparer.Instance.Equals(other, key))
                    {
                        Decode(records[j], batch, bad, rows);
                    }
                }
            }
        }

        return to;
    }

    // Records decoded per part of a batch an aggregation takes in parts: a part's rows fit in a core's cache.
    private const int PartRecords = 1024;

    /// <summary>
    /// A batch into an aggregation fed by stateless operators: decoded and taken part by part, so only one part's rows
    /// are alive at a time. When an expression fails in a persistent query (which skips the failing row), the batch is
    /// decoded again and processed as <see cref="Process"/> does; a client's query reports the error.
    /// </summary>
    private void ProcessInParts(RowBatch batch, List<TopicRecord> records, List<(TopicRecord Record, string Reason)> bad)
    {
        var next = 0;
        var rows = _pipeline.ReleasesPartRows ? _partRows : null;
        try
        {
            _pipeline.ProcessInParts(
                part =>
                {
                    // The previous part has been taken: its rows are free for this one.
                    rows?.ReturnAll();
                    if (next == records.Count)
                    {
                        return false;
                    }

                    next = DecodeRange(records, next, Math.Min(records.Count, next + PartRecords), part, bad, rows);
                    return true;
                },
                batch);
        }
        catch (SqlException) when (_skipFailingRows)
        {
            rows?.ReturnAll();
            // Nothing of the batch was saved (the aggregation saves its groups at the batch's end): redo it row by row.
            batch.Clear();
            DecodeRange(records, 0, records.Count, batch, []);
            Process(batch, records);
        }
    }

    // Input row arrays reused from part to part (see ProcessInParts) or, for a pipeline that releases them, batch to batch.
    private readonly RowArrayPool _partRows = new();

    private bool Decode(TopicRecord record, RowBatch batch, List<(TopicRecord Record, string Reason)> bad, RowArrayPool? rows = null)
    {
        if (rows is null ? _decoder.TryDecode(record, _partition, batch, out var error) : _decoder.TryDecode(record, _partition, batch, rows, out error))
        {
            return true;
        }

        _metrics.RecordBad(_topic.Name, _partition, record, error ?? "undecodable record");
        bad.Add((record, error ?? "undecodable record"));
        return false;
    }

    private void Process(RowBatch batch, List<TopicRecord> records)
    {
        if (!_skipFailingRows)
        {
            _pipeline.Process(batch);
            return;
        }

        // Keep a copy of the inputs: on failure the batch is replayed row by row to isolate the bad ones. Reused between
        // batches (one task runs one batch at a time): a fresh array per batch would often be a large object.
        var inputs = _inputs;
        inputs.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            inputs.Add((batch.Row(i), batch.Op(i)));
        }

        try
        {
            _pipeline.Process(batch);
        }
        catch (SqlException)
        {
            var single = new RowBatch { Partition = batch.Partition, EndOffset = batch.EndOffset };
            batch.Clear();
            foreach (var (input, op) in inputs)
            {
                single.Clear();
                single.Add(input, op);
                try
                {
                    _pipeline.Process(single);
                    for (var i = 0; i < single.Count; i++)
                    {
                        batch.Add(single.Row(i), single.Op(i));
                    }
                }
                catch (SqlException e)
                {
                    var offset = input[^1].AsLong;
                    var record = records.Find(r => r.Offset == offset) ?? new TopicRecord(offset, 0, null, null);
                    _metrics.RecordBad(_topic.Name, _partition, record, e.Message);
                }
            }
        }
    }
}
