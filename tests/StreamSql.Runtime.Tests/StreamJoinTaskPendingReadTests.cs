using System.Text;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// A stream–stream join task whose side has a read in flight: the reader has already taken that side's records off the
/// topic (its position moved) but not handed them over. The side is not out of data, so the other side's later rows must
/// wait; otherwise they advance stream time and the records in flight arrive late and are dropped.
/// </summary>
public sealed class StreamJoinTaskPendingReadTests
{
    private const long Minute = 60_000;

    private static StreamDefinition Stream(string name) =>
        new(name, RelationKind.Stream, [new ColumnSchema("k", SqlType.Int), new ColumnSchema("v", SqlType.Varchar)], name, 1,
            SourceFormat.Json, SourceFormat.Json, null, ",", null);

    [Fact]
    public async Task The_other_sides_later_row_waits_for_records_a_pending_read_has_taken()
    {
        // Order o8 at minute 0 is in the left topic, but the left reader's first read finds nothing and its next read
        // takes o8 without completing (a read in progress on another thread). Ship s8 at minute 20 is readable at once.
        var orders = new ControlledTopic("orders", Record(0, 8, "o8", 0));
        var ships = new ControlledTopic("ships", Record(0, 8, "s8", 20 * Minute));
        orders.HoldNextRead = true;

        var late = new List<long>();
        var plan = new LogicalStreamJoin(new LogicalScan(Stream("orders")), new LogicalScan(Stream("ships")), JoinKind.Inner,
            new BoundColumn(0, "k", SqlType.Int), new BoundColumn(0, "k", SqlType.Int), null, 60 * Minute * 1000, 60 * Minute * 1000, 0,
            [.. Stream("orders").RowSchema, .. Stream("ships").RowSchema]);
        var join = new StreamStreamJoinOperator(plan, row => row[0], row => row[0], null, new MemoryStateStore(), late.Add);
        var sink = new CollectingSink();
        var task = new StreamJoinTask(orders, ships, 0, new RowCodec(Stream("orders")), new RowCodec(Stream("ships")), join, PartitionPipeline.Build(plan), sink,
            new QueryMetrics("pending-read-test"));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Everything the task awaits completes synchronously except the held read, so RunAsync returns at the first
        // point where the task waits for it: the task has decided, before the read completes, what to do with s8.
        var run = task.RunAsync([0, 0], [1, 1], closeAtEnd: true, rightPartition: 1, onProgress: null, stop.Token);
        Assert.True(orders.ReadInFlight);
        Assert.DoesNotContain(sink.Batches, b => b.PairedEndOffset > 0);

        orders.CompleteHeldRead();
        await run;

        Assert.Empty(late);
        Assert.Equal(["o8+s8"], sink.Joined);
    }

    private static TopicRecord Record(long offset, int key, string value, long timestampMillis) =>
        new(offset, timestampMillis, null, Encoding.UTF8.GetBytes($"{{\"k\":{key},\"v\":\"{value}\"}}"));

    private sealed class CollectingSink : IRowSink
    {
        public List<(long EndOffset, long PairedEndOffset)> Batches { get; } = [];

        public List<string> Joined { get; } = [];

        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
        {
            Batches.Add((batch.EndOffset, batch.PairedEndOffset));
            for (var i = 0; i < batch.Count; i++)
            {
                var row = batch.Row(i);
                Joined.Add(row[1].AsString + "+" + row[6].AsString);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A one-partition topic of fixed records whose reader can hold a read: it takes the records, then waits to complete.</summary>
    private sealed class ControlledTopic(string name, params TopicRecord[] records) : ITopicLog
    {
        private readonly TopicRecord[] _records = records;
        private TaskCompletionSource<int>? _held;

        /// <summary>The reader's first TryRead finds nothing and its ReadAsync is held until <see cref="CompleteHeldRead"/>.</summary>
        public bool HoldNextRead { get; set; }

        public bool ReadInFlight => _held is { Task.IsCompleted: false };

        public void CompleteHeldRead() => _held!.SetResult(_records.Length);

        public string Name => name;

        public int PartitionCount => 1;

        public ValueTask<long> AppendAsync(int partition, IReadOnlyList<ProducedRecord> produced, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public long EndOffset(int partition) => _records.Length;

        public long StartOffset(int partition) => 0;

        public long OffsetForTimestamp(int partition, long timestamp) => 0;

        public IPartitionReader OpenReader(int partition, long fromOffset) => new Reader(this, fromOffset);

        private sealed class Reader(ControlledTopic topic, long from) : IPartitionReader
        {
            public int Partition => 0;

            public long Position { get; private set; } = from;

            public int TryRead(List<TopicRecord> into, int max)
            {
                if (topic.HoldNextRead)
                {
                    return 0;
                }

                var count = (int)Math.Min(max, topic._records.Length - Position);
                for (var i = 0; i < count; i++)
                {
                    into.Add(topic._records[Position++]);
                }

                return count;
            }

            public ValueTask<int> ReadAsync(List<TopicRecord> into, int max, CancellationToken cancellationToken)
            {
                if (!topic.HoldNextRead)
                {
                    return ValueTask.FromResult(TryRead(into, max));
                }

                // Take the records now (the position moves), hand them over only when the test completes the read.
                topic.HoldNextRead = false;
                TryRead(into, max);
                topic._held = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                return new ValueTask<int>(topic._held.Task);
            }

            public void Dispose()
            {
            }
        }
    }
}
