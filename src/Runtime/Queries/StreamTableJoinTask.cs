using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Tables;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// One partition task of a stream–table join in event-time order (Kafka Streams semantics): reads partition p of the
/// stream and of the (co-partitioned) table's changelog, and always handles the input whose next record has the lower
/// event time, the table first on ties: a changelog record is applied to the partition's table rows, a stream row goes
/// through the pipeline (whose <see cref="StreamTableJoinOperator"/> looks those rows up). So a stream row at time t sees
/// every table change at or before t that was readable, and none after it. When the changelog has nothing more to read the
/// stream rows are processed anyway ("as far as the available data allows"): a late table change does not hold them back.
/// </summary>
public sealed class StreamTableJoinTask
{
    private const int MaxBatch = 16384;
    private readonly ITopicLog _stream;
    private readonly ITopicLog _table;
    private readonly int _partition;
    private readonly RowCodec _codec;
    private readonly int _timeIndex;
    private readonly PartitionTableRows _rows;
    private readonly PartitionPipeline _pipeline;
    private readonly IRowSink _sink;
    private readonly QueryMetrics _metrics;
    private readonly RowBatch _pending = new();
    private readonly Queue<(Value[] Row, long Next, long Time)> _streamRows = new();
    private readonly Queue<(TopicRecord Record, Value[]? Row, long Time)> _tableRecords = new();
    private readonly List<TopicRecord>[] _records = [new(MaxBatch), new(MaxBatch)];
    private readonly IPartitionReader?[] _readers = new IPartitionReader?[2];
    private readonly Task<int>?[] _reads = new Task<int>?[2];
    private readonly long?[] _stops = new long?[2];
    private readonly long[] _processed = new long[2];
    private readonly Func<Task?>? _streamUpstreamPending;

    /// <param name="rows">The partition's table rows; the pipeline's join operator must look them up.</param>
    /// <param name="pipeline">The stream side's steps, the join and the steps above it (one partition's own pipeline).</param>
    /// <param name="streamUpstreamPending">
    /// When the stream topic is written by an earlier stage (a repartition): while that stage has input left (its rows may
    /// still come), a task completing at its next progress; table changes wait for those rows instead of running ahead
    /// (which would make the join see later rows).
    /// </param>
    public StreamTableJoinTask(ITopicLog stream, ITopicLog table, int partition, PartitionTableRows rows, PartitionPipeline pipeline, IRowSink sink, QueryMetrics metrics,
        Func<Task?>? streamUpstreamPending = null)
    {
        _streamUpstreamPending = streamUpstreamPending;
        _stream = stream;
        _table = table;
        _partition = partition;
        _rows = rows;
        _pipeline = pipeline;
        _codec = new RowCodec(pipeline.Source, pipeline.ReadColumns);
        _timeIndex = pipeline.Source.Columns.Count;
        _sink = sink;
        _metrics = metrics;
    }

    /// <summary>The changelog offset the partition's table rows were checkpointed at, when they were restored from a checkpoint.</summary>
    public long? RestoredTableOffset => _rows.RestoredTableOffset;

    /// <summary>Records the changelog offset the table rows correspond to, beside them (before a checkpoint).</summary>
    public void SaveProgress(long tableOffset) => _rows.SaveProgress(tableOffset);

    /// <summary>Applies the changelog records [from, to) to the table rows, producing nothing (rebuilding the state at start).</summary>
    public async Task RestoreTableAsync(long from, long to, CancellationToken cancellationToken)
    {
        foreach (var record in await TableJoinTask.ReadRangeAsync(_table, _partition, from, to, cancellationToken).ConfigureAwait(false))
        {
            _rows.Apply(record, out _);
        }
    }

    /// <summary>
    /// Processes both partitions from the given offsets (stream, table) until cancelled. Each batch written to the sink
    /// covers the stream records [StartOffset, EndOffset) and the changelog records [PairedStartOffset, PairedEndOffset)
    /// of PairedPartition tablePartition, and is the event-time merge of exactly those records, so
    /// <see cref="ReplayBatchAsync"/> can redo it after a crash.
    /// </summary>
    public async Task RunAsync(long[] from, int tablePartition, Action<int, long>? onProgress, CancellationToken cancellationToken)
    {
        _readers[0] = _stream.OpenReader(_partition, from[0]);
        _readers[1] = _table.OpenReader(_partition, from[1]);
        _processed[0] = from[0];
        _processed[1] = from[1];
        long[] started = [from[0], from[1]];
        var batch = new RowBatch { Partition = _partition };
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Fill(0, cancellationToken);
                Fill(1, cancellationToken);
                if (_streamRows.Count == 0 && _tableRecords.Count == 0)
                {
                    await Task.WhenAny(_reads.Where(r => r is not null).Select(r => r!)).ConfigureAwait(false);
                    continue;
                }

                // Changelog records already appended but not yet handed over by the pending read are available: they go
                // first (when earlier), so a stream row never misses a table change written before it was read.
                if (_tableRecords.Count == 0 && _reads[1] is { } tableRead && _table.EndOffset(_partition) > _readers[1]!.Position)
                {
                    await tableRead.ConfigureAwait(false);
                    continue;
                }

                // Likewise stream records appended (or still to come from an upstream stage) go before later table changes.
                if (_streamRows.Count == 0 && _reads[0] is { } streamRead)
                {
                    if (_stream.EndOffset(_partition) > _readers[0]!.Position)
                    {
                        await streamRead.ConfigureAwait(false);
                        continue;
                    }

                    if (_streamUpstreamPending?.Invoke() is { } progressed)
                    {
                        // The stage may filter its rows out, writing nothing: look again when it has moved on.
                        await Task.WhenAny(streamRead, progressed).ConfigureAwait(false);
                        continue;
                    }
                }

                // Merge while both inputs have records (or one has nothing more available), then read again.
                batch.Clear();
                MergeAvailable(batch, stopWhenEitherEmpties: true);

                // Records read but not decoded (bad ones at the end) count as processed once nothing is queued.
                if (_streamRows.Count == 0 && _reads[0] is null)
                {
                    _processed[0] = _readers[0]!.Position;
                }

                if (_tableRecords.Count == 0 && _reads[1] is null)
                {
                    _processed[1] = _readers[1]!.Position;
                }

                _metrics.CountOut(batch.Count);
                batch.StartOffset = started[0];
                batch.EndOffset = _processed[0];
                batch.PairedPartition = tablePartition;
                batch.PairedStartOffset = started[1];
                batch.PairedEndOffset = _processed[1];
                await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                started = [_processed[0], _processed[1]];
                onProgress?.Invoke(_partition, _processed[0]);
                onProgress?.Invoke(tablePartition, _processed[1]);
            }
        }
        finally
        {
            for (var s = 0; s < 2; s++)
            {
                if (_reads[s] is { } read)
                {
                    try
                    {
                        await read.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                _readers[s]?.Dispose();
            }
        }
    }

    /// <summary>
    /// Redoes one batch a crash interrupted: the merge of exactly the stream records [from[0], to[0]) and the changelog
    /// records [from[1], to[1]) (all read first), as one batch. The table rows must be as they were before the batch.
    /// </summary>
    public async Task ReplayBatchAsync(long[] from, long[] to, int tablePartition, CancellationToken cancellationToken)
    {
        _records[0].AddRange(await TableJoinTask.ReadRangeAsync(_stream, _partition, from[0], to[0], cancellationToken).ConfigureAwait(false));
        Decode(0);
        _records[1].AddRange(await TableJoinTask.ReadRangeAsync(_table, _partition, from[1], to[1], cancellationToken).ConfigureAwait(false));
        Decode(1);
        var batch = new RowBatch { Partition = _partition };
        MergeAvailable(batch, stopWhenEitherEmpties: false);
        batch.StartOffset = from[0];
        batch.EndOffset = to[0];
        batch.PairedPartition = tablePartition;
        batch.PairedStartOffset = from[1];
        batch.PairedEndOffset = to[1];
        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes the earlier of the two inputs' next records until a queue empties (live: the batch ends there, so its merge
    /// is the merge of exactly its records) or both do (replay). Consecutive stream rows go through the pipeline together.
    /// </summary>
    private void MergeAvailable(RowBatch output, bool stopWhenEitherEmpties)
    {
        var taken = 0;
        while (taken < MaxBatch && (_streamRows.Count > 0 || _tableRecords.Count > 0))
        {
            var table = _tableRecords.Count > 0 && (_streamRows.Count == 0 || _tableRecords.Peek().Time <= _streamRows.Peek().Time);
            taken++;
            if (table)
            {
                Flush(output);
                var (record, row, time) = _tableRecords.Dequeue();
                _processed[1] = record.Offset + 1;
                if (!_rows.Apply(record, row, time, out var error))
                {
                    _metrics.RecordBad(_table.Name, _partition, record, error ?? "undecodable record");
                }

                if (stopWhenEitherEmpties && _tableRecords.Count == 0)
                {
                    break;
                }
            }
            else
            {
                var (row, next, _) = _streamRows.Dequeue();
                _processed[0] = next;
                _pending.Add(row);
                if (stopWhenEitherEmpties && _streamRows.Count == 0)
                {
                    break;
                }
            }
        }

        Flush(output);
    }

    /// <summary>Runs the stream rows gathered since the last table change through the pipeline (join included) into the output.</summary>
    private void Flush(RowBatch output)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        _pending.Partition = _partition;
        _pipeline.Process(_pending);
        for (var i = 0; i < _pending.Count; i++)
        {
            output.Add(_pending.Row(i), _pending.Op(i));
        }

        _pending.Clear();
    }

    /// <summary>Decodes what an input has available into its queue, starting a wait for more when there is nothing.</summary>
    private void Fill(int side, CancellationToken cancellationToken)
    {
        if (_reads[side] is { IsCompleted: true } done)
        {
            _reads[side] = null;
            done.GetAwaiter().GetResult();
            Decode(side);
        }

        var queued = side == 0 ? _streamRows.Count : _tableRecords.Count;
        if (queued > 0 || _reads[side] is not null)
        {
            return;
        }

        _records[side].Clear();
        if (_readers[side]!.TryRead(_records[side], MaxBatch) > 0)
        {
            Decode(side);
        }
        else
        {
            _reads[side] = _readers[side]!.ReadAsync(_records[side], MaxBatch, cancellationToken).AsTask();
        }
    }

    private void Decode(int side)
    {
        var records = _records[side];
        _metrics.CountIn(records.Count);
        if (side == 0)
        {
            _pipeline.CountRead(records.Count);
        }

        foreach (var record in records)
        {
            if (side == 1)
            {
                var time = _rows.TimeOf(record, out var tableRow);
                _tableRecords.Enqueue((record, tableRow, time));
                continue;
            }

            var row = new Value[_codec.RowWidth];
            if (_codec.TryDecode(record, _partition, row, out var error))
            {
                _streamRows.Enqueue((row, record.Offset + 1, row[_timeIndex].IsNull ? long.MinValue : row[_timeIndex].AsLong));
            }
            else
            {
                _metrics.RecordBad(_stream.Name, _partition, record, error ?? "undecodable record");
            }
        }

        records.Clear();
    }
}
