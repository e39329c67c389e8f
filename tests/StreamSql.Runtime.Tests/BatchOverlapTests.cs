using System.Text;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// A live partition task processes its next batch while the previous one commits. A batch's progress is reported as a
/// plain advance when the next batch was processed first, and through the progress callback (which may checkpoint) only
/// where nothing newer was processed: before the task waits for input, or when a checkpoint is due.
/// </summary>
public sealed class BatchOverlapTests : IDisposable
{
    private static readonly StreamDefinition Stream = new("s", RelationKind.Stream, [new ColumnSchema("k", SqlType.BigInt)], "s", 1,
        SourceFormat.Json, SourceFormat.Json, null, ",", null);

    private readonly string _directory = Directory.CreateTempSubdirectory("streamsql-overlap-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_next_batch_is_processed_while_the_previous_commits_and_progress_is_consistent_only_where_nothing_newer_was()
    {
        using var store = new EmbeddedTopicStore(_directory);
        var topic = store.GetOrCreate("s", 1);
        await topic.AppendAsync(0, Records(0, 1000));
        var sink = new HeldCommits();
        var decoder = new CountingDecoder(new StreamRecordDecoder(new RowCodec(Stream)));
        var consistent = new List<long>();
        var advanced = new List<long>();
        var checkpointDue = false;
        var task = new PartitionTask(topic, 0, decoder, PartitionPipeline.Build(new LogicalScan(Stream)), sink, new QueryMetrics("overlap-test"), skipFailingRows: true);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = task.RunAsync(0, null, (_, end) => { lock (consistent) { consistent.Add(end); } }, stop.Token,
            new BatchOverlap((_, end) => { lock (advanced) { advanced.Add(end); } }, _ => Volatile.Read(ref checkpointDue)));

        // The first batch (256 records) is handed over; its commit is held. The next batch is read and decoded meanwhile.
        var first = await sink.NextAsync();
        Assert.Equal(256, first.End);
        await WaitUntil(() => decoder.Decoded == 1000);
        Assert.Single(sink.Calls);
        Assert.Empty(Snapshot(consistent));
        Assert.Empty(Snapshot(advanced));

        // Its commit completes: the state is past it (the rest was processed), so it is an advance, not a checkpoint point.
        first.Commit.SetResult();
        var second = await sink.NextAsync();
        Assert.Equal(1000, second.End);
        Assert.Equal([256L], Snapshot(advanced));
        Assert.Empty(Snapshot(consistent));

        // Caught up: before waiting for input the task awaits the last commit, and reports it as consistent.
        second.Commit.SetResult();
        await WaitUntil(() => Snapshot(consistent).Count == 1);
        Assert.Equal([1000L], Snapshot(consistent));

        // With a checkpoint due, the task awaits the previous commit before processing the next batch. The next records
        // are appended while the third batch is handed over, so they are there when its commit is left in flight.
        Volatile.Write(ref checkpointDue, true);
        sink.OnThirdCall = () => topic.AppendAsync(0, Records(1010, 10)).AsTask().GetAwaiter().GetResult();
        await topic.AppendAsync(0, Records(1000, 10));
        var third = await sink.NextAsync();
        await WaitUntil(() => decoder.Decoded == 1020);
        Assert.Equal(3, sink.Calls.Count);
        third.Commit.SetResult();
        var fourth = await sink.NextAsync();
        Assert.Equal((1010L, 1020L), (third.End, fourth.End));
        Assert.Equal([1000L, 1010L], Snapshot(consistent));
        Assert.Equal([256L], Snapshot(advanced));

        // Stopping awaits the commit in flight and reports it.
        await stop.CancelAsync();
        fourth.Commit.SetResult();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal([1000L, 1010L, 1020L], Snapshot(consistent));

        // Every row reached the sink once, in order.
        Assert.Equal(Enumerable.Range(0, 1020).Select(i => (long)i), sink.Rows);
    }

    private static List<long> Snapshot(List<long> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }

    private static ProducedRecord[] Records(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => new ProducedRecord(null, Encoding.UTF8.GetBytes($"{{\"k\":{i}}}"), i))];

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(5);
        }
    }

    /// <summary>Takes each batch's rows when called and holds its commit until the test completes it.</summary>
    private sealed class HeldCommits : IRowSink
    {
        private readonly System.Threading.Channels.Channel<(long End, TaskCompletionSource Commit)> _calls =
            System.Threading.Channels.Channel.CreateUnbounded<(long, TaskCompletionSource)>();

        public List<long> Rows { get; } = [];

        public List<long> Calls { get; } = [];

        public bool TakesRowsWhenCalled => true;

        public Action? OnThirdCall { get; set; }

        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                Rows.Add(batch.Row(i)[0].AsLong);
            }

            batch.Clear();
            Calls.Add(batch.EndOffset);
            if (Calls.Count == 3)
            {
                OnThirdCall?.Invoke();
            }

            var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _calls.Writer.TryWrite((batch.EndOffset, commit));
            return new ValueTask(commit.Task);
        }

        public async Task<(long End, TaskCompletionSource Commit)> NextAsync() =>
            await _calls.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private sealed class CountingDecoder(IRecordDecoder inner) : IRecordDecoder
    {
        private int _decoded;

        public int Decoded => Volatile.Read(ref _decoded);

        public bool TryDecode(TopicRecord record, int partition, RowBatch batch, out string? error)
        {
            Interlocked.Increment(ref _decoded);
            return inner.TryDecode(record, partition, batch, out error);
        }

        public bool TryDecode(in BorrowedRecord record, int partition, RowBatch batch, RowArrayPool? rows, out string? error)
        {
            Interlocked.Increment(ref _decoded);
            return inner.TryDecode(record, partition, batch, rows, out error);
        }
    }
}
