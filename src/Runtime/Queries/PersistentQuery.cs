using Serilog;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>A running CREATE STREAM AS SELECT: one task per source partition, resuming from its committed offsets.</summary>
public sealed class PersistentQuery : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<PersistentQuery>();
    private readonly ITopicLog _source;
    private readonly PartitionTask[] _tasks;
    private readonly OffsetStore _offsets;
    private readonly long[] _positions;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private TaskCompletionSource _progress = NewSignal();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly PartitionPipeline _pipeline;
    private readonly RowCodec _sourceCodec;
    private readonly ITopicLog _sinkTopic;
    private readonly RowCodec _sinkCodec;

    public PersistentQuery(QueryDefinition definition, StreamDefinition sink, ITopicLog source, ITopicLog sinkTopic, OffsetStore offsets, ErrorTopic? errors = null)
    {
        Definition = definition;
        Metrics = new QueryMetrics(definition.Id);
        _source = source;
        _offsets = offsets;
        var pipeline = PartitionPipeline.Build(definition.Plan, carryRowTime: true, Metrics.RecordExpressionError);
        var codec = new RowCodec(pipeline.Source, pipeline.ReadColumns);
        _pipeline = pipeline;
        _sourceCodec = codec;
        _sinkTopic = sinkTopic;
        _sinkCodec = new RowCodec(sink);
        var rowSink = new TopicRowSink(sinkTopic, _sinkCodec, offsets, _writeGate);
        _tasks = new PartitionTask[source.PartitionCount];
        _positions = new long[source.PartitionCount];
        for (var p = 0; p < _tasks.Length; p++)
        {
            _tasks[p] = new PartitionTask(source, p, codec, pipeline, rowSink, Metrics, skipFailingRows: true, errors);
        }
    }

    public QueryDefinition Definition { get; }

    public QueryMetrics Metrics { get; }

    public string Status { get; private set; } = "CREATED";

    public Exception? Failure { get; private set; }

    /// <summary>Records where a new query starts when no offsets are committed: the beginning, or the current end ('latest').</summary>
    public void InitializeOffsets(bool fromLatest)
    {
        for (var p = 0; p < _positions.Length; p++)
        {
            if (!_offsets.Exists(p))
            {
                _offsets.Save(p, fromLatest ? _source.EndOffset(p) : 0);
            }
        }
    }

    public void Start()
    {
        CompleteInterruptedBatch();
        for (var p = 0; p < _tasks.Length; p++)
        {
            var from = _offsets.Load(p);
            _positions[p] = from;
            var task = _tasks[p];
            _running.Add(Task.Run(() => task.RunAsync(from, null, Advance, _stop.Token)));
        }

        Status = "RUNNING";
        _ = WatchAsync();
        Log.Information("Started query {QueryId} writing {Sink}", Definition.Id, Definition.SinkName);
    }

    /// <summary>
    /// A crash between appending a batch's output and committing its offset leaves an intent behind: replay that batch
    /// (the pipeline is deterministic) and append only the records that did not land, then commit its offset.
    /// </summary>
    private void CompleteInterruptedBatch()
    {
        if (_offsets.LoadIntent() is { } intent && _offsets.Load(intent.SourcePartition) < intent.EndOffset)
        {
            var landed = new long[_sinkTopic.PartitionCount];
            for (var p = 0; p < landed.Length; p++)
            {
                landed[p] = p < intent.SinkEnds.Count ? Math.Max(0, _sinkTopic.EndOffset(p) - intent.SinkEnds[p]) : 0;
            }

            var from = _offsets.Load(intent.SourcePartition);
            var sink = new TopicRowSink(_sinkTopic, _sinkCodec, _offsets, _writeGate, landed);
            var replay = new PartitionTask(_source, intent.SourcePartition, _sourceCodec, _pipeline, sink, new QueryMetrics(Definition.Id), skipFailingRows: true);
            replay.RunAsync(from, intent.EndOffset, null, CancellationToken.None).GetAwaiter().GetResult();
            _offsets.Save(intent.SourcePartition, intent.EndOffset);
            Log.Information("Query {QueryId} completed the batch a crash interrupted ({Partition}: offsets {From}..{To}, {Landed} output records had landed)",
                Definition.Id, intent.SourcePartition, from, intent.EndOffset, landed.Sum());
        }

        _offsets.ClearIntent();
    }

    private async Task WatchAsync()
    {
        try
        {
            await Task.WhenAll(_running).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Failure = e;
            Status = "ERROR";
            Log.Error(e, "Query {QueryId} failed", Definition.Id);
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        Signal();
    }

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
            lag[p] = Math.Max(0, _source.EndOffset(p) - Volatile.Read(ref _positions[p]));
        }

        return lag;
    }

    /// <summary>True when every partition has processed up to the topic's current end.</summary>
    public bool IsCaughtUp()
    {
        for (var p = 0; p < _positions.Length; p++)
        {
            if (Volatile.Read(ref _positions[p]) < _source.EndOffset(p))
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
        var ends = new long[_source.PartitionCount];
        for (var p = 0; p < ends.Length; p++)
        {
            ends[p] = _source.EndOffset(p);
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

        _stop.Dispose();
        Log.Information("Stopped query {QueryId}", Definition.Id);
    }
}
