using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// One partition task of a stream–stream join: reads partition p of both (co-partitioned) topics, hands the join the row
/// with the lowest time among those available (left first on ties), then runs the pipeline above the join and the sink.
/// A side with nothing to read does not hold the other back (as Kafka Streams with no idle wait).
/// </summary>
public sealed class StreamJoinTask
{
    private const int MaxBatch = 4096;
    private readonly Side[] _sides;
    private readonly int _partition;
    private readonly StreamStreamJoinOperator _join;
    private readonly PartitionPipeline _above;
    private readonly IRowSink _sink;
    private readonly QueryMetrics _metrics;
    private readonly Func<int, Task?>? _upstreamPending;

    /// <param name="upstreamPending">
    /// When a side's topic is written by an earlier stage (a repartition): while that stage has input left, a task that
    /// completes at its next progress, so the other side's rows wait for that side's (which could otherwise arrive late).
    /// </param>
    public StreamJoinTask(ITopicLog left, ITopicLog right, int partition, RowCodec leftCodec, RowCodec rightCodec, StreamStreamJoinOperator join,
        PartitionPipeline above, IRowSink sink, QueryMetrics metrics, Func<int, Task?>? upstreamPending = null)
    {
        _upstreamPending = upstreamPending;
        _sides = [new Side(left, leftCodec), new Side(right, rightCodec)];
        _partition = partition;
        _join = join;
        _above = above;
        _sink = sink;
        _metrics = metrics;
    }

    /// <summary>
    /// Processes both partitions from the given offsets (left, right) until cancelled, or until both reach stopAt.
    /// After each batch the sink gets the batch: Partition p with the left offsets it covers (StartOffset, EndOffset) and
    /// PairedPartition rightPartition with the right ones, so a persistent query announces and commits both. The rows a
    /// batch joins are the merge (lowest time first, left on ties) of exactly the records it covers, so
    /// <see cref="ReplayBatchAsync"/> can redo it.
    /// </summary>
    /// <param name="closeAtEnd">At stopAt the input is over (a pull query): emit the outer rows still waiting. Not when rebuilding state.</param>
    public async Task RunAsync(long[] from, long[]? stopAt, bool closeAtEnd, int rightPartition, Action<int, long>? onProgress, CancellationToken cancellationToken)
    {
        for (var s = 0; s < 2; s++)
        {
            _sides[s].Reader = _sides[s].Topic.OpenReader(_partition, from[s]);
            _sides[s].Stop = stopAt?[s];
            _sides[s].Processed = from[s];
            _sides[s].Handed = from[s];
        }

        _rightPartition = rightPartition;
        _onProgress = onProgress;
        _started = [from[0], from[1]];

        var batch = new RowBatch { Partition = _partition };
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var side in _sides)
                {
                    Fill(side, cancellationToken);
                }

                if (_sides[0].Rows.Count == 0 && _sides[1].Rows.Count == 0)
                {
                    if (_sides[0].Done && _sides[1].Done)
                    {
                        batch.Clear();
                        if (closeAtEnd)
                        {
                            _join.Close(batch);
                        }

                        await EmitAsync(batch, cancellationToken).ConfigureAwait(false);
                        return;
                    }

                    await Task.WhenAny(_sides.Where(s => s.Pending is not null).Select(s => s.Pending!)).ConfigureAwait(false);
                    continue;
                }

                // A side whose topic already holds records its pending read has not handed over yet is not "out of data":
                // wait for them, so the merge stays in time order (else the other side's rows could make them late).
                if (AwaitedSide() is { } awaited)
                {
                    await awaited.ConfigureAwait(false);
                    continue;
                }

                // Merge while both sides have rows (or one side has nothing more available): then refill.
                batch.Clear();
                _taken[0] = _taken[1] = 0;
                while (batch.Count < MaxBatch)
                {
                    var next = Next();
                    if (next < 0)
                    {
                        break;
                    }

                    _taken[next]++;
                    var (row, nextOffset) = _sides[next].Rows.Dequeue();
                    _sides[next].Processed = nextOffset;
                    _join.Process(next, row, batch);
                    if (_sides[next].Rows.Count == 0)
                    {
                        break;
                    }
                }

                await EmitAsync(batch, cancellationToken).ConfigureAwait(false);

                // A side is refilled only once its queue is empty, so the rows a batch took from it came from its last read.
                _metrics.ObserveProcessingLatency(_sides[0].ReadAt, _taken[0]);
                _metrics.ObserveProcessingLatency(_sides[1].ReadAt, _taken[1]);
            }
        }
        finally
        {
            foreach (var side in _sides)
            {
                if (side.Pending is { } pending)
                {
                    try
                    {
                        await pending.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                side.Reader?.Dispose();
            }
        }
    }

    private readonly int[] _taken = new int[2];
    private int _rightPartition;
    private Action<int, long>? _onProgress;
    private long[] _started = [0, 0];

    /// <summary>
    /// Redoes one batch a crash interrupted: the merge of exactly the left records [from[0], to[0]) and the right ones
    /// [from[1], to[1]) (all of them read first, so the order does not depend on what happened to be readable), then the
    /// pipeline above the join and the sink, as one batch. The join state must be what it was before the batch.
    /// </summary>
    public async Task ReplayBatchAsync(long[] from, long[] to, int rightPartition, CancellationToken cancellationToken)
    {
        for (var s = 0; s < 2; s++)
        {
            var side = _sides[s];
            using var reader = side.Topic.OpenReader(_partition, from[s]);
            while (reader.Position < to[s])
            {
                side.Records.Clear();
                var max = (int)Math.Min(MaxBatch, to[s] - reader.Position);
                if (reader.TryRead(side.Records, max) == 0)
                {
                    await reader.ReadAsync(side.Records, max, cancellationToken).ConfigureAwait(false);
                }

                Decode(side);
            }
        }

        var batch = new RowBatch { Partition = _partition };
        while (Next() is var next and >= 0)
        {
            _join.Process(next, _sides[next].Rows.Dequeue().Row, batch);
        }

        _above.Process(batch);
        batch.StartOffset = from[0];
        batch.EndOffset = to[0];
        batch.PairedPartition = rightPartition;
        batch.PairedStartOffset = from[1];
        batch.PairedEndOffset = to[1];
        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    private async Task EmitAsync(RowBatch batch, CancellationToken cancellationToken)
    {
        // Records read but not decoded into rows (bad ones at the end) count as processed once nothing is queued.
        foreach (var side in _sides)
        {
            if (side.Rows.Count == 0 && side.Pending is null)
            {
                side.Processed = side.Reader!.Position;
            }
        }

        _above.Process(batch);
        _metrics.CountOut(batch.Count);
        batch.StartOffset = _started[0];
        batch.EndOffset = _sides[0].Processed;
        batch.PairedPartition = _rightPartition;
        batch.PairedStartOffset = _started[1];
        batch.PairedEndOffset = _sides[1].Processed;
        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        _started = [_sides[0].Processed, _sides[1].Processed];
        _onProgress?.Invoke(_partition, _sides[0].Processed);
        _onProgress?.Invoke(_rightPartition, _sides[1].Processed);
    }

    /// <summary>
    /// The pending read of an empty side whose topic has records beyond its reader (up to its stop), or, while the stage
    /// writing that side's topic has input left, that read or the stage's next progress; null when neither side is awaited.
    /// </summary>
    private Task? AwaitedSide()
    {
        for (var s = 0; s < 2; s++)
        {
            var side = _sides[s];
            if (side.Rows.Count > 0 || _sides[1 - s].Rows.Count == 0 || side.Pending is not { } pending)
            {
                continue;
            }

            if (Math.Min(side.Topic.EndOffset(_partition), side.Stop ?? long.MaxValue) > side.Handed)
            {
                return pending;
            }

            if (side.Stop is null && _upstreamPending?.Invoke(s) is { } progressed)
            {
                // The stage may filter its rows out, writing nothing: look again when it has moved on.
                return Task.WhenAny(pending, progressed);
            }
        }

        return null;
    }

    /// <summary>The side whose next row comes first (lowest time, left on ties), or -1 when neither has one.</summary>
    private int Next()
    {
        var (left, right) = (_sides[0].Rows, _sides[1].Rows);
        if (left.Count == 0)
        {
            return right.Count == 0 ? -1 : 1;
        }

        if (right.Count == 0)
        {
            return 0;
        }

        return _join.TimeOf(1, right.Peek().Row) < _join.TimeOf(0, left.Peek().Row) ? 1 : 0;
    }

    /// <summary>Decodes what a side has available into its queue, starting a wait for more when there is nothing.</summary>
    private void Fill(Side side, CancellationToken cancellationToken)
    {
        if (side.Pending is { IsCompleted: true } done)
        {
            side.Pending = null;
            done.GetAwaiter().GetResult();
            Decode(side);
            side.Handed = side.Reader!.Position;
        }

        if (side.Rows.Count > 0 || side.Pending is not null || side.Done)
        {
            return;
        }

        var max = side.Stop is { } stop ? (int)Math.Min(MaxBatch, stop - side.Reader!.Position) : MaxBatch;
        side.Records.Clear();
        var read = side.Reader!.TryRead(side.Records, max);
        side.Handed = side.Reader.Position;
        if (read > 0)
        {
            Decode(side);
        }
        else
        {
            side.Pending = side.Reader.ReadAsync(side.Records, max, cancellationToken).AsTask();
        }
    }

    private void Decode(Side side)
    {
        side.ReadAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _metrics.CountIn(side.Records.Count);
        foreach (var record in side.Records)
        {
            var row = new Value[side.Codec.RowWidth];
            if (side.Codec.TryDecode(record, _partition, row, out var error))
            {
                side.Rows.Enqueue((row, record.Offset + 1));
            }
            else
            {
                _metrics.RecordBad(side.Topic.Name, _partition, record, error ?? "undecodable record");
            }
        }

        side.Records.Clear();
    }

    private sealed class Side(ITopicLog topic, RowCodec codec)
    {
        public ITopicLog Topic { get; } = topic;

        public RowCodec Codec { get; } = codec;

        /// <summary>Stopwatch.GetTimestamp when the rows now queued were read and decoded.</summary>
        public long ReadAt { get; set; }

        public IPartitionReader? Reader { get; set; }

        public long? Stop { get; set; }

        public List<TopicRecord> Records { get; } = new(MaxBatch);

        /// <summary>Decoded rows waiting to be joined, each with the offset after its record.</summary>
        public Queue<(Value[] Row, long Next)> Rows { get; } = new();

        /// <summary>The offset after the last record processed.</summary>
        public long Processed { get; set; }

        /// <summary>
        /// The reader's position when no read was in progress: what this task has been handed. While a pending read drains
        /// records on another thread the reader's position runs ahead of it, and a side judged "out of data" by that position
        /// would let the other side's later rows through first and make the records being read late.
        /// </summary>
        public long Handed { get; set; }

        public Task<int>? Pending { get; set; }

        /// <summary>A bounded read that has read everything up to its stop offset and handed it on.</summary>
        public bool Done => Stop is { } stop && Reader!.Position >= stop && Rows.Count == 0 && Pending is null;
    }
}
