using Serilog;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>A running CREATE STREAM AS SELECT: one task per source partition, resuming from its committed offsets.</summary>
public sealed class PersistentQuery : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<PersistentQuery>();
    private readonly ITopicLog _source;
    private readonly PartitionPipeline[] _pipelines;
    private readonly bool _stateful;
    private readonly Func<Value[], ChangeOp, ProducedRecord> _encode;
    private readonly ErrorTopic? _errors;
    private readonly OffsetStore _offsets;
    private readonly long[] _positions;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private TaskCompletionSource _progress = NewSignal();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly RowCodec? _sourceCodec;
    private readonly IRecordDecoder[] _decoders;
    private readonly ITopicLog _sinkTopic;
    // A stream–stream join also reads this topic's partition p in task p; its offsets are kept as partition n + p.
    private readonly ITopicLog? _right;
    private readonly Func<int, QueryMetrics, StreamStreamJoinOperator>? _joinFor;
    private readonly Func<int, QueryMetrics, TableTableJoinOperator>? _tableJoinFor;
    private readonly Func<int, PartitionPipeline, IRowSink, QueryMetrics, StreamTableJoinTask>? _streamTableTaskFor;

    /// <param name="tables">The tables a stream–table join in the query looks up.</param>
    public PersistentQuery(QueryDefinition definition, StreamDefinition sink, ITopicLog source, ITopicLog sinkTopic, OffsetStore offsets, ErrorTopic? errors = null,
        Func<StreamDefinition, ITableLookup>? tables = null)
        : this(definition, source, sinkTopic, offsets, errors, stateful: false,
            metrics => Shared(PartitionPipeline.Build(definition.Plan, carryRowTime: true, metrics.RecordExpressionError, tables)),
            TopicRowSink.StreamEncoder(new RowCodec(sink)))
    {
    }

    /// <param name="stateful">The pipelines keep state (GROUP BY): at start each partition rebuilds it by replaying its input up to the committed offset.</param>
    /// <param name="pipelineFor">Builds the pipeline of each source partition (stateless queries share one).</param>
    /// <param name="encode">Makes the output record of a row and its op.</param>
    /// <param name="decoderFor">How each partition's records become rows (a table source's changelog keeps state); null: stream records.</param>
    /// <param name="right">A stream–stream join's right input (co-partitioned with source); the pipelines' leaf is the join.</param>
    /// <param name="joinFor">The join operator of a partition (with its state store), for a stream–stream join.</param>
    /// <param name="streamTableTaskFor">
    /// For a stream–table join in event-time order (right: the table's changelog, co-partitioned with source): the task of a
    /// partition running its pipeline into the given sink; all tasks of one partition must share its table rows.
    /// </param>
    public PersistentQuery(QueryDefinition definition, ITopicLog source, ITopicLog sinkTopic, OffsetStore offsets, ErrorTopic? errors, bool stateful,
        Func<QueryMetrics, Func<int, PartitionPipeline>> pipelineFor, Func<Value[], ChangeOp, ProducedRecord> encode, Func<int, IRecordDecoder>? decoderFor = null,
        ITopicLog? right = null, Func<int, QueryMetrics, StreamStreamJoinOperator>? joinFor = null,
        Func<int, QueryMetrics, TableTableJoinOperator>? tableJoinFor = null, Func<int, PartitionPipeline, IRowSink, QueryMetrics, StreamTableJoinTask>? streamTableTaskFor = null)
    {
        _streamTableTaskFor = streamTableTaskFor;
        _right = right;
        _joinFor = joinFor;
        _tableJoinFor = tableJoinFor;
        Definition = definition;
        Metrics = new QueryMetrics(definition.Id);
        _source = source;
        _offsets = offsets;
        _stateful = stateful;
        _sinkTopic = sinkTopic;
        _encode = encode;
        _errors = errors;
        var build = pipelineFor(Metrics);
        _pipelines = new PartitionPipeline[source.PartitionCount];
        for (var p = 0; p < _pipelines.Length; p++)
        {
            _pipelines[p] = build(p);
        }

        _sourceCodec = _pipelines[0].Leaf is Planner.Logical.LogicalScan ? new RowCodec(_pipelines[0].Source, _pipelines[0].ReadColumns) : null;
        _decoders = new IRecordDecoder[source.PartitionCount];
        for (var p = 0; p < _decoders.Length; p++)
        {
            _decoders[p] = decoderFor?.Invoke(p) ?? (_sourceCodec is null ? null! : new StreamRecordDecoder(_sourceCodec));
        }

        _positions = new long[source.PartitionCount * (right is null ? 1 : 2)];
    }

    private static Func<int, PartitionPipeline> Shared(PartitionPipeline pipeline) => _ => pipeline;

    public QueryDefinition Definition { get; }

    /// <summary>The state stores of a stateful query's partitions, closed with the query.</summary>
    /// <summary>The state stores of a stateful query and their checkpoints (null for a stateless query).</summary>
    public QueryState? State { get; init; }

    /// <summary>
    /// For a stream–stream join whose input side (0 left, 1 right) is written by an earlier stage of the same query (a
    /// repartition): while that stage has input left, a task completing at its next progress (see
    /// <see cref="PendingProgress"/>), so the join waits for its rows instead of running ahead.
    /// </summary>
    public Func<int, Task?>? InputUpstreamPending { get; init; }

    private ITransactionalOutput? _transactional;
    private bool _transactionsOpened;

    /// <summary>
    /// Kafka mode: output and input offsets are committed in one transaction per batch, and the offsets the query resumes
    /// from are the ones committed with its transactions. Opened once, before offsets are first read.
    /// </summary>
    private void OpenTransactions()
    {
        if (_transactionsOpened)
        {
            return;
        }

        _transactionsOpened = true;
        _transactional = _offsets.OpenTransactions();
        if (_transactional is { } transactional)
        {
            _offsets.CommittedElsewhere = p => transactional.CommittedOffset(InputOf(p, 0).Topic, InputOf(p, 0).Partition);
        }
    }

    /// <summary>The input topic partition of a (virtual) partition: p of the source, or n + p of a join's right input.</summary>
    private InputOffset InputOf(int partition, long offset) =>
        partition < _source.PartitionCount ? new(_source.Name, partition, offset) : new(_right!.Name, partition - _source.PartitionCount, offset);

    /// <summary>The sink a running partition task writes through (transactional in Kafka mode).</summary>
    private TopicRowSink LiveSink() =>
        new(_sinkTopic, _encode, _offsets, _writeGate) { Transactional = _transactional is null ? null : (_transactional, InputOf), OnAppended = OnOutputAppended };

    /// <summary>Told after each append of output to the embedded sink topic (partition, first offset, count): a table's materialization notes its own records.</summary>
    public Action<int, long, int>? OnOutputAppended { get; init; }

    /// <summary>How often a stateful partition checkpoints its state (between batches).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    private IReadOnlyList<State.IStateStore> Stores => State?.Stores ?? [];

    private long _replayedAtStart;

    /// <summary>Input records replayed at start to restore state (from the last checkpoint to the committed offset).</summary>
    public long ReplayedAtStart => Interlocked.Read(ref _replayedAtStart);

    // Per partition: state rebuilt (checkpoints may be taken), and when the last checkpoint was taken.
    private bool[] _rebuilt = [];
    private long[] _lastCheckpoint = [];

    /// <summary>Entries in the query's state stores.</summary>
    public long StateEntries => SumOverStores(s => s.Count);

    /// <summary>Bytes the query's state stores hold (memory and disk).</summary>
    public long StateBytes => SumOverStores(s => s.SizeBytes);

    private long SumOverStores(Func<State.IStateStore, long> measure)
    {
        long total = 0;
        foreach (var store in Stores)
        {
            try
            {
                total += store is null ? 0 : measure(store);
            }
            catch (ObjectDisposedException)
            {
                // The query stopped while being measured.
            }
        }

        return total;
    }

    public QueryMetrics Metrics { get; }

    public string Status { get; private set; } = "CREATED";

    public Exception? Failure { get; private set; }

    /// <summary>Records where a new query starts when no offsets are committed: the beginning, or the current end ('latest').</summary>
    public void InitializeOffsets(bool fromLatest)
    {
        OpenTransactions();
        for (var p = 0; p < _positions.Length; p++)
        {
            if (!_offsets.Exists(p))
            {
                _offsets.Save(p, fromLatest ? EndOffsetOf(p) : 0);
            }
        }
    }

    /// <summary>The end offset of a (virtual) source partition: p of the source, or n + p of a join's right input.</summary>
    private long EndOffsetOf(int partition) =>
        partition < _source.PartitionCount ? _source.EndOffset(partition) : _right!.EndOffset(partition - _source.PartitionCount);

    public void Start()
    {
        OpenTransactions();
        _rebuilt = new bool[_positions.Length];
        _lastCheckpoint = new long[_pipelines.Length];
        Array.Fill(_lastCheckpoint, System.Diagnostics.Stopwatch.GetTimestamp());
        if (_tableJoinFor is not null)
        {
            StartTableJoin();
            return;
        }

        if (_streamTableTaskFor is not null)
        {
            StartStreamTableJoin();
            return;
        }

        if (_right is not null)
        {
            StartJoin();
            return;
        }

        var intent = FenceInterruptedOutput(_offsets.LoadIntent());
        var rowSink = LiveSink();

        // Until the interrupted batch is complete, no other partition writes (the intent and the sink ends it recorded stay valid).
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (intent is null || intent.SourcePartition >= _pipelines.Length)
        {
            ReleaseInterruptedOutput(recovered);
        }

        for (var p = 0; p < _pipelines.Length; p++)
        {
            var from = _offsets.Load(p);

            // A stateful partition reports its position once its state is rebuilt, so FLUSH waits for that.
            _positions[p] = _stateful ? 0 : from;
            var partition = p;
            _running.Add(Task.Run(async () =>
            {
                if (_stateful)
                {
                    await RebuildStateAsync(partition, from).ConfigureAwait(false);
                    Advance(partition, from);
                    Volatile.Write(ref _rebuilt[partition], true);
                }

                if (intent is not null && intent.SourcePartition == partition)
                {
                    try
                    {
                        from = CompleteInterruptedBatch(intent);
                    }
                    finally
                    {
                        ReleaseInterruptedOutput(recovered);
                    }

                    Advance(partition, from);
                }
                else
                {
                    await recovered.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
                }

                var task = new PartitionTask(_source, partition, _decoders[partition], _pipelines[partition], rowSink, Metrics, skipFailingRows: true, _errors);
                await task.RunAsync(from, null, AdvanceAndCheckpoint, _stop.Token, new BatchOverlap(Advance, CheckpointDue)).ConfigureAwait(false);
            }));
        }

        if (intent is null)
        {
            _offsets.ClearIntent();
        }

        Status = "RUNNING";
        _ = WatchAsync();
        Log.Information("Started query {QueryId} writing {Sink}", Definition.Id, Definition.SinkName);
    }

    /// <summary>
    /// A crash between appending a batch's output and committing its offset leaves an intent behind: replay that batch
    /// (the pipeline is deterministic) and append only the records that did not land, then commit its offset.
    /// Returns where the partition continues.
    /// </summary>
    private long CompleteInterruptedBatch(OutputIntent intent)
    {
        var from = _offsets.Load(intent.SourcePartition);
        if (from < intent.EndOffset)
        {
            var landed = Landed(intent);

            var sink = new TopicRowSink(_sinkTopic, _encode, _offsets, _writeGate, landed) { OnAppended = OnOutputAppended };
            var replay = new PartitionTask(_source, intent.SourcePartition, _decoders[intent.SourcePartition], _pipelines[intent.SourcePartition], sink, new QueryMetrics(Definition.Id), skipFailingRows: true);
            replay.RunAsync(from, intent.EndOffset, null, CancellationToken.None).GetAwaiter().GetResult();
            _offsets.Save(intent.SourcePartition, intent.EndOffset);
            Log.Information("Query {QueryId} completed the batch a crash interrupted ({Partition}: offsets {From}..{To}, {Landed} output records had landed)",
                Definition.Id, intent.SourcePartition, from, intent.EndOffset, landed.Sum());
            from = intent.EndOffset;
        }

        _offsets.ClearIntent();
        return from;
    }

    /// <summary>
    /// Brings the partition's state to the committed offset: from its checkpoint when one was restored, else from the start
    /// of the input, replaying the records in between and discarding their output (it is already in the sink).
    /// </summary>
    private async Task RebuildStateAsync(int partition, long committed)
    {
        var from = State?.RestoredOffset(partition) ?? _source.StartOffset(partition);
        if (from > committed)
        {
            // A checkpoint newer than the committed offset cannot be: distrust it and start over.
            Log.Warning("Query {QueryId} partition {Partition}: checkpoint at {Checkpoint} is past the committed offset {Committed}", Definition.Id, partition, from, committed);
            from = _source.StartOffset(partition);
        }

        if (committed <= from)
        {
            return;
        }

        var replay = new PartitionTask(_source, partition, _decoders[partition], _pipelines[partition], DiscardingSink.Instance, new QueryMetrics(Definition.Id), skipFailingRows: true);
        await replay.RunAsync(from, committed, null, _stop.Token).ConfigureAwait(false);
        Interlocked.Add(ref _replayedAtStart, committed - from);
        Log.Information("Query {QueryId} restored the state of partition {Partition} by replaying offsets {From}..{Committed}", Definition.Id, partition, from, committed);
    }

    /// <summary>
    /// A join task (stream–stream or stream–table) reports the left input's position, then the right one's, after each
    /// batch: with both known, the state corresponds to exactly those offsets and may be checkpointed.
    /// </summary>
    private void AdvancePairedAndCheckpoint(int virtualPartition, long position)
    {
        Advance(virtualPartition, position);
        var n = _source.PartitionCount;
        if (virtualPartition >= n && State is not null && System.Diagnostics.Stopwatch.GetElapsedTime(_lastCheckpoint[virtualPartition - n]) >= CheckpointInterval)
        {
            CheckpointPaired(virtualPartition - n);
            _lastCheckpoint[virtualPartition - n] = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Checkpoints a join partition: the right input's offset is stored beside the state, the left one's in the manifest.</summary>
    private void CheckpointPaired(int partition)
    {
        _saveRightOffset![partition]!(Volatile.Read(ref _positions[_source.PartitionCount + partition]));
        CheckpointState(partition, Volatile.Read(ref _positions[partition]));
    }

    // Per partition of a join, how its state records the right input's offset (set once the partition's task exists).
    private Action<long>?[]? _saveRightOffset;

    /// <summary>Whether the partition's state is whole and its last checkpoint older than the interval.</summary>
    private bool CheckpointDue(int partition) =>
        State is not null && Volatile.Read(ref _rebuilt[partition])
        && System.Diagnostics.Stopwatch.GetElapsedTime(_lastCheckpoint[partition]) >= CheckpointInterval;

    /// <summary>
    /// Checkpoints a (virtual) partition's state at position. Lazily saved offsets are committed first: a checkpoint past
    /// the committed offset would be distrusted at restart.
    /// </summary>
    private void CheckpointState(int partition, long position)
    {
        _offsets.SavePending();
        State!.Checkpoint(partition, position);
    }

    private void AdvanceAndCheckpoint(int partition, long position)
    {
        Advance(partition, position);
        if (CheckpointDue(partition))
        {
            CheckpointState(partition, position);
            _lastCheckpoint[partition] = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    /// <summary>
    /// A stream–stream join: task p reads partition p of both inputs. Its state is rebuilt by replaying both up to their
    /// committed offsets in time order (without late rows this gives the state the live run had; rows the live run dropped
    /// as late may then be kept, or the reverse). Each batch is announced by an output intent naming both inputs' ranges:
    /// after a crash the interrupted batch is replayed exactly (state rebuilt up to its start, then the merge of its
    /// records) and only its output that did not land is appended, then both offsets are committed.
    /// </summary>
    private void StartJoin()
    {
        _saveRightOffset = new Action<long>?[_source.PartitionCount];
        var intent = FenceInterruptedOutput(_offsets.LoadIntent());
        var rowSink = LiveSink();
        var n = _source.PartitionCount;
        var leaf = (Planner.Logical.LogicalStreamJoin)_pipelines[0].Leaf;
        var recovering = 0;

        // Until the interrupted batch is complete, no other partition writes (the intent and the sink ends it recorded stay valid).
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var p = 0; p < n; p++)
        {
            var partition = p;
            long[] from = [_offsets.Load(p), _offsets.Load(n + p)];
            var pending = InterruptedPairedBatch(intent, p, from);
            if (pending is not null)
            {
                recovering++;
            }

            // Positions are reported once the state is rebuilt, so FLUSH waits for that.
            _running.Add(Task.Run(async () =>
            {
                var join = _joinFor!(partition, Metrics);
                _saveRightOffset[partition] = join.SaveProgress;
                StreamJoinTask NewTask(IRowSink sink, QueryMetrics metrics) => new(_source, _right!, partition, new RowCodec(leaf.Left.Source, leaf.Left.ReadColumns),
                    new RowCodec(leaf.Right.Source, leaf.Right.ReadColumns),
                    join, _pipelines[partition], sink, metrics, InputUpstreamPending);
                long[] rebuildTo = pending is { Join: { } batch } ? [batch.LeftStart, batch.RightStart] : from;

                // From the checkpoint both inputs' offsets are recorded at (the left one in the manifest, the right one in
                // the store), else from the start; the replay's output is already in the sink.
                var restoredLeft = State?.RestoredOffset(partition);
                if ((restoredLeft is null) != (join.RestoredRightOffset is null))
                {
                    throw new InvalidOperationException($"query {Definition.Id}: the join state of partition {partition} was restored without both input offsets");
                }

                long[] start = restoredLeft is { } left && join.RestoredRightOffset is { } right ? [left, right] : [0, 0];
                if (start[0] > rebuildTo[0] || start[1] > rebuildTo[1])
                {
                    throw new InvalidOperationException(
                        $"query {Definition.Id}: the checkpoint of partition {partition} is at offsets {start[0]}/{start[1]}, past the committed {rebuildTo[0]}/{rebuildTo[1]}");
                }

                if (rebuildTo[0] > start[0] || rebuildTo[1] > start[1])
                {
                    await NewTask(DiscardingSink.Instance, new QueryMetrics(Definition.Id)).RunAsync(start, rebuildTo, closeAtEnd: false, n + partition, null, _stop.Token).ConfigureAwait(false);
                    Interlocked.Add(ref _replayedAtStart, rebuildTo[0] - start[0] + rebuildTo[1] - start[1]);
                    Log.Information("Query {QueryId} rebuilt the join state of partition {Partition} from offsets {LeftFrom}/{RightFrom} to {LeftTo}/{RightTo}",
                        Definition.Id, partition, start[0], start[1], rebuildTo[0], rebuildTo[1]);
                }

                // Positions first: a shutdown checkpoints a rebuilt partition at its positions.
                Advance(partition, rebuildTo[0]);
                Advance(n + partition, rebuildTo[1]);
                Volatile.Write(ref _rebuilt[partition], true);

                if (pending is { Join: { } interrupted })
                {
                    try
                    {
                        from = await CompleteInterruptedJoinBatchAsync(pending, interrupted, rebuildTo, NewTask).ConfigureAwait(false);
                    }
                    finally
                    {
                        ReleaseInterruptedOutput(recovered);
                    }

                    Advance(partition, from[0]);
                    Advance(n + partition, from[1]);
                }
                else
                {
                    await recovered.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
                }

                await NewTask(rowSink, Metrics).RunAsync(from, null, closeAtEnd: false, n + partition, AdvancePairedAndCheckpoint, _stop.Token).ConfigureAwait(false);
            }));
        }

        if (recovering == 0)
        {
            _offsets.ClearIntent();
            ReleaseInterruptedOutput(recovered);
        }

        Status = "RUNNING";
        _ = WatchAsync();
        Log.Information("Started query {QueryId} writing {Sink}", Definition.Id, Definition.SinkName);
    }

    /// <summary>
    /// A stream–table join in event-time order: task p reads partition p of the stream and of the table's changelog. The
    /// table rows live in memory and are rebuilt at start by applying the changelog up to its committed offset (or to the
    /// start of the batch a crash interrupted, which is then redone exactly: the merge of the records its intent names,
    /// appending only the output that did not land, as for a stream–stream join).
    /// </summary>
    private void StartStreamTableJoin()
    {
        var intent = FenceInterruptedOutput(_offsets.LoadIntent());
        var rowSink = LiveSink();
        var n = _source.PartitionCount;
        _saveRightOffset = new Action<long>?[n];
        var recovering = 0;
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var p = 0; p < n; p++)
        {
            var partition = p;
            long[] from = [_offsets.Load(p), _offsets.Load(n + p)];
            var pending = InterruptedPairedBatch(intent, p, from);
            if (pending is not null)
            {
                recovering++;
            }

            // Positions are reported once the table rows are rebuilt, so FLUSH waits for that.
            _running.Add(Task.Run(async () =>
            {
                long[] rebuildTo = pending is { Join: { } batch } ? [batch.LeftStart, batch.RightStart] : from;
                var restore = _streamTableTaskFor!(partition, _pipelines[partition], DiscardingSink.Instance, new QueryMetrics(Definition.Id));

                // From the changelog offset the restored rows were checkpointed at, else from the changelog's start.
                var tableStart = State?.RestoredOffset(partition) is not null && restore.RestoredTableOffset is { } restored
                    ? restored
                    : _right!.StartOffset(partition);
                if (tableStart > rebuildTo[1])
                {
                    throw new InvalidOperationException(
                        $"query {Definition.Id}: the table rows of partition {partition} were checkpointed at changelog offset {tableStart}, past the committed {rebuildTo[1]}");
                }

                if (rebuildTo[1] > tableStart)
                {
                    await restore.RestoreTableAsync(tableStart, rebuildTo[1], _stop.Token).ConfigureAwait(false);
                    Interlocked.Add(ref _replayedAtStart, rebuildTo[1] - tableStart);
                    Log.Information("Query {QueryId} rebuilt the table rows of partition {Partition} from offsets {From}..{To}", Definition.Id, partition, tableStart, rebuildTo[1]);
                }

                Advance(partition, rebuildTo[0]);
                Advance(n + partition, rebuildTo[1]);
                if (pending is { Join: { } interrupted })
                {
                    try
                    {
                        var sink = new TopicRowSink(_sinkTopic, _encode, _offsets, _writeGate, Landed(pending)) { OnAppended = OnOutputAppended };
                        long[] end = [pending.EndOffset, interrupted.RightEnd];
                        await _streamTableTaskFor!(partition, _pipelines[partition], sink, new QueryMetrics(Definition.Id)).ReplayBatchAsync(rebuildTo, end, n + partition, CancellationToken.None).ConfigureAwait(false);
                        _offsets.Save(partition, end[0]);
                        _offsets.Save(n + partition, end[1]);
                        _offsets.ClearIntent();
                        Log.Information("Query {QueryId} completed the join batch a crash interrupted (partition {Partition}: stream {StreamFrom}..{StreamTo}, table {TableFrom}..{TableTo})",
                            Definition.Id, partition, rebuildTo[0], end[0], rebuildTo[1], end[1]);
                        from = end;
                    }
                    finally
                    {
                        ReleaseInterruptedOutput(recovered);
                    }

                    Advance(partition, from[0]);
                    Advance(n + partition, from[1]);
                }
                else
                {
                    await recovered.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
                }

                var live = _streamTableTaskFor!(partition, _pipelines[partition], rowSink, Metrics);
                _saveRightOffset[partition] = live.SaveProgress;
                Volatile.Write(ref _rebuilt[partition], true);
                await live.RunAsync(from, n + partition, AdvancePairedAndCheckpoint, _stop.Token).ConfigureAwait(false);
            }));
        }

        if (recovering == 0)
        {
            _offsets.ClearIntent();
            ReleaseInterruptedOutput(recovered);
        }

        Status = "RUNNING";
        _ = WatchAsync();
        Log.Information("Started query {QueryId} writing {Sink}", Definition.Id, Definition.SinkName);
    }

    /// <summary>Replays the join batch an intent announces (its output that landed is skipped), commits both offsets, and returns them.</summary>
    private async Task<long[]> CompleteInterruptedJoinBatchAsync(OutputIntent intent, JoinIntent batch, long[] start, Func<IRowSink, QueryMetrics, StreamJoinTask> newTask)
    {
        var landed = Landed(intent);
        var sink = new TopicRowSink(_sinkTopic, _encode, _offsets, _writeGate, landed) { OnAppended = OnOutputAppended };
        await newTask(sink, new QueryMetrics(Definition.Id)).ReplayBatchAsync(start, [intent.EndOffset, batch.RightEnd], batch.RightPartition, CancellationToken.None).ConfigureAwait(false);
        _offsets.Save(intent.SourcePartition, intent.EndOffset);
        _offsets.Save(batch.RightPartition, batch.RightEnd);
        _offsets.ClearIntent();
        Log.Information("Query {QueryId} completed the join batch a crash interrupted (partition {Partition}: left {LeftFrom}..{LeftTo}, right {RightFrom}..{RightTo}, {Landed} output records had landed)",
            Definition.Id, intent.SourcePartition, start[0], intent.EndOffset, start[1], batch.RightEnd, landed.Sum());
        return [intent.EndOffset, batch.RightEnd];
    }

    /// <summary>
    /// A table–table join: task p reads partition p of both changelogs. Each side's rows are a state store restored from
    /// that side's checkpoint (partition p for the left, n + p for the right: a side's rows depend only on its own input,
    /// so the two checkpoints need not be taken at once) and then caught up by replaying the side's records up to the
    /// committed offset, or to the start of the batch a crash interrupted, which is then redone exactly and only its missing
    /// output appended (as for a stream–stream join).
    /// </summary>
    private void StartTableJoin()
    {
        var intent = FenceInterruptedOutput(_offsets.LoadIntent());
        var rowSink = LiveSink();
        var n = _source.PartitionCount;
        var recovering = 0;
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ITopicLog[] topics = [_source, _right!];
        for (var p = 0; p < n; p++)
        {
            var partition = p;
            long[] from = [_offsets.Load(p), _offsets.Load(n + p)];
            var pending = InterruptedPairedBatch(intent, p, from);
            if (pending is not null)
            {
                recovering++;
            }

            // Positions are reported once the state is restored, so FLUSH waits for that.
            _running.Add(Task.Run(async () =>
            {
                var join = _tableJoinFor!(partition, Metrics);
                long[] target = pending is { Join: { } batch } ? [batch.LeftStart, batch.RightStart] : from;
                for (var side = 0; side < 2; side++)
                {
                    var virtualPartition = side == 0 ? partition : n + partition;
                    var restored = State?.RestoredOffset(virtualPartition) ?? topics[side].StartOffset(partition);
                    if (restored > target[side])
                    {
                        throw new InvalidOperationException(
                            $"query {Definition.Id}: the checkpoint of partition {virtualPartition} is at offset {restored}, past the committed offset {target[side]}");
                    }

                    await RestoreSideAsync(join, side, topics[side], partition, restored, target[side]).ConfigureAwait(false);
                }

                // Positions first: a shutdown checkpoints a rebuilt partition at its position.
                Advance(partition, target[0]);
                Advance(n + partition, target[1]);
                Volatile.Write(ref _rebuilt[partition], true);
                Volatile.Write(ref _rebuilt[n + partition], true);
                if (pending is { Join: { } interrupted })
                {
                    try
                    {
                        var landed = Landed(pending);
                        var sink = new TopicRowSink(_sinkTopic, _encode, _offsets, _writeGate, landed) { OnAppended = OnOutputAppended };
                        long[] end = [pending.EndOffset, interrupted.RightEnd];
                        await new TableJoinTask(_source, _right!, partition, join, _pipelines[partition], sink, new QueryMetrics(Definition.Id))
                            .ReplayBatchAsync(target, end, n + partition, CancellationToken.None).ConfigureAwait(false);
                        _offsets.Save(partition, end[0]);
                        _offsets.Save(n + partition, end[1]);
                        _offsets.ClearIntent();
                        Log.Information("Query {QueryId} completed the join batch a crash interrupted (partition {Partition}, {Landed} output records had landed)",
                            Definition.Id, partition, landed.Sum());
                        from = end;
                    }
                    finally
                    {
                        ReleaseInterruptedOutput(recovered);
                    }

                    Advance(partition, from[0]);
                    Advance(n + partition, from[1]);
                }
                else
                {
                    await recovered.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
                }

                await new TableJoinTask(_source, _right!, partition, join, _pipelines[partition], rowSink, Metrics)
                    .RunAsync(from, n + partition, AdvanceBothAndCheckpoint, _stop.Token).ConfigureAwait(false);
            }));
        }

        if (recovering == 0)
        {
            _offsets.ClearIntent();
            ReleaseInterruptedOutput(recovered);
        }

        Status = "RUNNING";
        _ = WatchAsync();
        Log.Information("Started query {QueryId} writing {Sink}", Definition.Id, Definition.SinkName);
    }

    /// <summary>
    /// The intent of a two-input batch (partition p with virtual partition n + p) that a crash interrupted before both its
    /// offsets were committed, or null when this pair has none.
    /// </summary>
    private OutputIntent? InterruptedPairedBatch(OutputIntent? intent, int partition, long[] committed) =>
        intent is { Join: { } j } && intent.SourcePartition == partition && j.RightPartition == _source.PartitionCount + partition
        && (committed[0] < intent.EndOffset || committed[1] < j.RightEnd) ? intent : null;

    /// <summary>Per sink partition: how many records of the interrupted batch landed (the sink's end now minus its end in the intent).</summary>
    private long[] Landed(OutputIntent intent)
    {
        var landed = new long[_sinkTopic.PartitionCount];
        for (var p = 0; p < landed.Length; p++)
        {
            landed[p] = p < intent.SinkEnds.Count ? Math.Max(0, _sinkTopic.LogEndOffset(p) - intent.SinkEnds[p]) : 0;
        }

        return landed;
    }

    /// <summary>
    /// Read-committed across a crash: the output an interrupted batch left behind stays invisible (fenced where the intent
    /// says the sink ended) until recovery has completed that batch and committed its offsets.
    /// </summary>
    private OutputIntent? FenceInterruptedOutput(OutputIntent? intent)
    {
        if (intent is not null)
        {
            for (var p = 0; p < intent.SinkEnds.Count && p < _sinkTopic.PartitionCount; p++)
            {
                _sinkTopic.Fence(p, intent.SinkEnds[p]);
            }

            _fencedIntent = intent;
        }

        return intent;
    }

    /// <summary>Signals that the interrupted batch (if any) is complete, and lifts the fences it held.</summary>
    private void ReleaseInterruptedOutput(TaskCompletionSource recovered)
    {
        LiftInterruptedOutputFences();
        recovered.TrySetResult();
    }

    private void LiftInterruptedOutputFences()
    {
        if (Interlocked.Exchange(ref _fencedIntent, null) is { } intent)
        {
            for (var p = 0; p < intent.SinkEnds.Count && p < _sinkTopic.PartitionCount; p++)
            {
                _sinkTopic.Unfence(p, intent.SinkEnds[p]);
            }
        }
    }

    private OutputIntent? _fencedIntent;

    /// <summary>Brings one side's rows of a table–table join from its checkpoint to the given offset (no output).</summary>
    private async Task RestoreSideAsync(TableTableJoinOperator join, int side, ITopicLog topic, int partition, long from, long to)
    {
        if (to <= from)
        {
            return;
        }

        using var reader = topic.OpenReader(partition, from);
        var records = new List<TopicRecord>(512);
        while (reader.Position < to)
        {
            records.Clear();
            var max = (int)Math.Min(512, to - reader.Position);
            if (reader.TryRead(records, max) == 0)
            {
                await reader.ReadAsync(records, max, _stop.Token).ConfigureAwait(false);
            }

            foreach (var record in records)
            {
                join.Restore(side, record);
            }
        }

        Interlocked.Add(ref _replayedAtStart, to - from);
        Log.Information("Query {QueryId} restored {Side} rows of partition {Partition} by replaying offsets {From}..{To}", Definition.Id, side == 0 ? "left" : "right", partition, from, to);
    }

    /// <summary>A table–table join reports its left end, then its right end: after the right one, both sides checkpoint when due.</summary>
    private void AdvanceBothAndCheckpoint(int partition, long position)
    {
        Advance(partition, position);
        var n = _source.PartitionCount;
        if (partition < n || State is null)
        {
            return;
        }

        var p = partition - n;
        if (System.Diagnostics.Stopwatch.GetElapsedTime(_lastCheckpoint[p]) >= CheckpointInterval)
        {
            CheckpointState(p, Volatile.Read(ref _positions[p]));
            CheckpointState(partition, position);
            _lastCheckpoint[p] = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    private sealed class DiscardingSink : IRowSink
    {
        public static readonly DiscardingSink Instance = new();

        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>
    /// The first partition task that fails (its output topic deleted, its state unreadable) fails the whole query: it is
    /// marked FAILED with the error, its other tasks stop, and other queries are not affected. RESTART QUERY starts it again.
    /// </summary>
    private async Task WatchAsync()
    {
        _ = CommitPendingOffsetsPeriodicallyAsync();
        var pending = new List<Task>(_running);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (done.IsFaulted && !_stop.IsCancellationRequested)
            {
                var error = done.Exception!.GetBaseException();
                Failure = error;
                Status = "FAILED";
                Log.Error(error, "Query {QueryId} failed: {Error}", Definition.Id, error.Message);
                try
                {
                    await _stop.CancelAsync().ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                }

                break;
            }
        }

        Signal();
    }

    /// <summary>How long at most the offset of a batch without output stays uncommitted (see <see cref="TopicRowSink"/>).</summary>
    public TimeSpan PendingCommitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Commits the offsets of batches without output that no later record has committed (a partition gone idle).</summary>
    private async Task CommitPendingOffsetsPeriodicallyAsync()
    {
        using var timer = new PeriodicTimer(PendingCommitInterval);
        var stop = _stop.Token;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                CommitPendingOffsets();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CommitPendingOffsets()
    {
        try
        {
            _offsets.SavePending();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not lost: the offsets stay pending, and a crash before a later commit only reads those batches again.
            Log.Warning(e, "Query {QueryId} could not commit its pending offsets: {Error}", Definition.Id, e.Message);
        }
    }

    /// <summary>The pipelines of the query's partitions (one shared pipeline for a stateless query), for EXPLAIN ANALYZE.</summary>
    public IReadOnlyList<PartitionPipeline> Pipelines => _pipelines.Distinct().ToList();

    private void Advance(int partition, long position)
    {
        Volatile.Write(ref _positions[partition], position);
        Signal();
    }

    private void Signal() => Interlocked.Exchange(ref _progress, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Per source partition: records written but not processed yet (end offset minus processed offset).</summary>
    public long[] Lag()
    {
        var lag = new long[_positions.Length];
        for (var p = 0; p < lag.Length; p++)
        {
            lag[p] = Math.Max(0, EndOffsetOf(p) - Volatile.Read(ref _positions[p]));
        }

        return lag;
    }

    /// <summary>
    /// For a later stage reading this query's output: null when this query has processed its input up to the current end
    /// (or is not running), else a task that completes when it next makes progress.
    /// </summary>
    public Task? PendingProgress()
    {
        var signal = Volatile.Read(ref _progress).Task;
        return Status != "RUNNING" || IsCaughtUp() ? null : signal;
    }

    /// <summary>True when every partition has processed up to the topic's current end.</summary>
    public bool IsCaughtUp()
    {
        for (var p = 0; p < _positions.Length; p++)
        {
            if (Volatile.Read(ref _positions[p]) < EndOffsetOf(p))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Waits until each partition has processed everything before targets[p] (or the query stopped).</summary>
    public async Task WaitForAsync(long[] targets, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _progress).Task;
            if (Status != "RUNNING")
            {
                return;
            }

            var done = true;
            for (var p = 0; p < targets.Length; p++)
            {
                done &= Volatile.Read(ref _positions[p]) >= targets[p];
            }

            if (done)
            {
                return;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public long[] SourceEndOffsets()
    {
        var ends = new long[_positions.Length];
        for (var p = 0; p < ends.Length; p++)
        {
            ends[p] = EndOffsetOf(p);
        }

        return ends;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_running).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || _stop.IsCancellationRequested)
        {
        }

        if (Status == "RUNNING")
        {
            Status = "TERMINATED";
        }

        // A query stopped before finishing its interrupted batch (dropped, failed) must not hide its sink's tail for good.
        LiftInterruptedOutputFences();
        CommitPendingOffsets();

        if (State is not null && Failure is null)
        {
            // A graceful stop checkpoints every partition whose state is whole, so a restart replays nothing.
            for (var p = 0; p < _rebuilt.Length; p++)
            {
                if (Volatile.Read(ref _rebuilt[p]))
                {
                    try
                    {
                        if (_saveRightOffset is not null)
                        {
                            if (p < _saveRightOffset.Length && _saveRightOffset[p] is not null)
                            {
                                CheckpointPaired(p);
                            }
                        }
                        else
                        {
                            CheckpointState(p, Volatile.Read(ref _positions[p]));
                        }
                    }
                    catch (Exception e)
                    {
                        Log.Warning(e, "Query {QueryId} could not checkpoint partition {Partition} at shutdown", Definition.Id, p);
                    }
                }
            }
        }

        State?.Dispose();
        _transactional?.Dispose();
        _stop.Dispose();
        Log.Information("Stopped query {QueryId}", Definition.Id);
    }
}
