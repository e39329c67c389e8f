using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// A replay of an interrupted batch (a range from its intent) must form the same one batch as the live run when the
/// output depends on where batches end (net effect per key, consolidated changelogs), however short the reader's reads.
/// </summary>
public sealed class WholeRangeReplayTests
{
    private static readonly StreamDefinition Table = new("t", RelationKind.Table, [new ColumnSchema("k", SqlType.BigInt, IsKey: true)],
        "t", 1, SourceFormat.Json, SourceFormat.Json, null, ",", null);

    [Fact]
    public async Task A_replayed_range_is_one_batch_even_when_the_reader_hands_out_three_records_at_a_time()
    {
        var batches = await ReplayAsync(netEffect: true);
        Assert.Equal([10], batches);
    }

    [Fact]
    public async Task Without_that_need_the_same_reads_make_several_batches()
    {
        // The contrast that shows the reader above really returned short reads.
        var batches = await ReplayAsync(netEffect: false);
        Assert.Equal([3, 3, 3, 1], batches);
    }

    private static async Task<List<int>> ReplayAsync(bool netEffect)
    {
        var topic = new ShortReadTopic(10, readSize: 3);
        var sink = new BatchSizes();
        var task = new PartitionTask(topic, 0, new OneRowPerRecord(netEffect), PartitionPipeline.Build(new LogicalScan(Table)), sink,
            new QueryMetrics("replay-test"), skipFailingRows: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await task.RunAsync(0, stopAt: 10, onProgress: null, timeout.Token);
        return sink.Sizes;
    }

    private sealed class OneRowPerRecord(bool netEffect) : IRecordDecoder
    {
        public bool NetEffectPerBatch => netEffect;

        public bool TryDecode(TopicRecord record, int partition, RowBatch batch, out string? error)
        {
            error = null;
            batch.Add([Value.FromBigInt(record.Offset), .. new Value[Pseudocolumns.All.Count]]);
            return true;
        }
    }

    private sealed class BatchSizes : IRowSink
    {
        public List<int> Sizes { get; } = [];

        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
        {
            Sizes.Add(batch.Count);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ShortReadTopic(int records, int readSize) : ITopicLog
    {
        public string Name => "t";

        public int PartitionCount => 1;

        public ValueTask<long> AppendAsync(int partition, IReadOnlyList<ProducedRecord> produced, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public long EndOffset(int partition) => records;

        public long StartOffset(int partition) => 0;

        public long OffsetForTimestamp(int partition, long timestamp) => 0;

        public IPartitionReader OpenReader(int partition, long fromOffset) => new Reader(records, readSize, fromOffset);

        private sealed class Reader(int records, int readSize, long from) : IPartitionReader
        {
            public int Partition => 0;

            public long Position { get; private set; } = from;

            public int TryRead(List<TopicRecord> into, int max)
            {
                var count = (int)Math.Min(Math.Min(max, readSize), records - Position);
                for (var i = 0; i < count; i++)
                {
                    into.Add(new TopicRecord(Position, 0, BitConverter.GetBytes(Position), [1]));
                    Position++;
                }

                return count;
            }

            public ValueTask<int> ReadAsync(List<TopicRecord> into, int max, CancellationToken cancellationToken) =>
                Position < records ? ValueTask.FromResult(TryRead(into, max)) : throw new InvalidOperationException("read past the end");

            public void Dispose()
            {
            }
        }
    }
}
