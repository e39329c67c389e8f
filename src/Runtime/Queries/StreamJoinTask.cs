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
    private const int MaxBatch = 512;
    private readonly Side[] _sides;
    private readonly int _partition;
    private readonly StreamStreamJoinOperator _join;
    private readonly PartitionPipeline _above;
    private readonly IRowSink _sink;
    private readonly QueryMetrics _metrics;

    public StreamJoinTask(ITopicLog left, ITopicLog right, int partition, RowCodec leftCodec, RowCodec rightCodec, StreamStreamJoinOperator join,
        PartitionPipeline above, IRowSink sink, QueryMetrics metrics)
    {
        _sides = [new Side(left, leftCodec), new Side(right, rightCodec)];
        _partition = partition;
        _join = join;
        _above = above;
        _sink = sink;
        _metrics = metrics;
    }

    /// <summary>
    /// Processes both partitions from the given offsets (left, right) until cancelled, or until both reach stopAt.
    /// After each batch the sink gets the batch (Partition p, EndOffset: the left offset processed) and then an empty
    /// batch for partition rightPartition with the right offset processed, so a persistent query commits both.
    /// </summary>
    /// <param name="closeAtEnd">At stopAt the input is over (a pull query): emit the outer rows still waiting. Not when rebuilding state.</param>
    public async Task RunAsync(long[] from, long[]? stopAt, bool closeAtEnd, int rightPartition, Action<int, long>? onProgress, CancellationToken cancellationToken)
    {
        for (var s = 0; s < 2; s++)
        {
            _sides[s].Reader = _sides[s].Topic.OpenReader(_partition, from[s]);
            _sides[s].Stop = stopAt?[s];
            _sides[s].Processed = from[s];
        }

        _rightPartition = rightPartition;
        _onProgress = onProgress;

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

                // Merge while both sides have rows (or one side has nothing more available): then refill.
                batch.Clear();
                while (batch.Count < MaxBatch)
                {
                    var next = Next();
                    if (next < 0)
                    {
                        break;
                    }

                    var (row, nextOffset) = _sides[next].Rows.Dequeue();
                    _sides[next].Processed = nextOffset;
                    _join.Process(next, row, batch);
                    if (_sides[next].Rows.Count == 0)
                    {
                        break;
                    }
                }

                await EmitAsync(batch, cancellationToken).ConfigureAwait(false);
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

    private int _rightPartition;
    private Action<int, long>? _onProgress;
    private readonly RowBatch _rightCommit = new();

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
        batch.EndOffset = _sides[0].Processed;
        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        _rightCommit.Partition = _rightPartition;
        _rightCommit.EndOffset = _sides[1].Processed;
        await _sink.WriteAsync(_rightCommit, cancellationToken).ConfigureAwait(false);
        _onProgress?.Invoke(_partition, _sides[0].Processed);
        _onProgress?.Invoke(_rightPartition, _sides[1].Processed);
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
        }

        if (side.Rows.Count > 0 || side.Pending is not null || side.Done)
        {
            return;
        }

        var max = side.Stop is { } stop ? (int)Math.Min(MaxBatch, stop - side.Reader!.Position) : MaxBatch;
        side.Records.Clear();
        if (side.Reader!.TryRead(side.Records, max) > 0)
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

        public IPartitionReader? Reader { get; set; }

        public long? Stop { get; set; }

        public List<TopicRecord> Records { get; } = new(MaxBatch);

        /// <summary>Decoded rows waiting to be joined, each with the offset after its record.</summary>
        public Queue<(Value[] Row, long Next)> Rows { get; } = new();

        /// <summary>The offset after the last record processed.</summary>
        public long Processed { get; set; }

        public Task<int>? Pending { get; set; }

        /// <summary>A bounded read that has read everything up to its stop offset and handed it on.</summary>
        public bool Done => Stop is { } stop && Reader!.Position >= stop && Rows.Count == 0 && Pending is null;
    }
}
