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
/// A partition task reads 1,024 records per batch for a sink that commits nothing (a client's query without state): its
/// records and rows need not stay alive for a large batch, and the first rows reach the client sooner. For a sink that
/// commits each batch (a persistent query) the first batch is 256 records, then each as many as 16 MB of the previous
/// batch's average record holds, up to 16,384 (65,536 for session windows).
/// </summary>
public sealed class ClientQueryBatchSizeTests
{
    private static readonly StreamDefinition Stream = new("s", RelationKind.Stream, [new ColumnSchema("k", SqlType.BigInt)], "s", 1,
        SourceFormat.Json, SourceFormat.Json, null, ",", null);

    [Theory]
    [InlineData(false, 3000, 0, new[] { 1024, 1024, 952 })]
    [InlineData(true, 3000, 0, new[] { 256, 2744 })]
    [InlineData(true, 40_000, 0, new[] { 256, 16384, 16384, 6976 })]
    // Records of 32 KB: 512 per 16 MB.
    [InlineData(true, 1500, 32 * 1024, new[] { 256, 512, 512, 220 })]
    public async Task Batch_sizes_follow_whether_the_sink_commits_and_the_record_size(bool commits, int count, int size, int[] expected)
    {
        var records = Enumerable.Range(0, count).Select(i => new TopicRecord(i, i, null, Value(i, size))).ToArray();
        var sink = new BatchSizes(commits);
        var task = new PartitionTask(new FixedTopic(records), 0, new RowCodec(Stream), PartitionPipeline.Build(new LogicalScan(Stream)), sink,
            new QueryMetrics("batch-size-test"), skipFailingRows: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await task.RunAsync(0, stopAt: records.Length, onProgress: null, timeout.Token);

        Assert.Equal(expected, sink.Sizes);
    }

    /// <summary>The same sizing when an embedded topic lends its records (decoded in place, no copies to measure).</summary>
    [Fact]
    public async Task Lent_records_size_the_batches_too()
    {
        var directory = Directory.CreateTempSubdirectory("streamsql-batch-size-").FullName;
        try
        {
            using var store = new EmbeddedTopicStore(directory);
            var topic = store.GetOrCreate("s", 1);
            await topic.AppendAsync(0, [.. Enumerable.Range(0, 1500).Select(i => new ProducedRecord(null, Value(i, 32 * 1024), i))]);
            var sink = new BatchSizes(commits: true);
            var task = new PartitionTask(topic, 0, new RowCodec(Stream), PartitionPipeline.Build(new LogicalScan(Stream)), sink, new QueryMetrics("batch-size-test"),
                skipFailingRows: false);
            Assert.True(task.ReadsLent(topic), "an embedded topic lends its records");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await task.RunAsync(0, stopAt: 1500, onProgress: null, timeout.Token);

            Assert.Equal([256, 512, 512, 220], sink.Sizes);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A record value of exactly size bytes (at least its column k).</summary>
    private static byte[] Value(int k, int size)
    {
        var json = $"{{\"k\":{k}}}";
        return Encoding.UTF8.GetBytes(size <= json.Length ? json : $"{{\"k\":{k},\"pad\":\"{new string('x', size - json.Length - 10)}\"}}");
    }

    private sealed class BatchSizes(bool commits) : IRowSink
    {
        public List<int> Sizes { get; } = [];

        public bool CommitsPerBatch => commits;

        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
        {
            Sizes.Add(batch.Count);
            return ValueTask.CompletedTask;
        }
    }
}
