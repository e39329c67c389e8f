using System.Text;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// A partition task reads up to 16,384 records per batch for a sink that commits each batch (a persistent query), but
/// only 1,024 for one that commits nothing (a client's query without state): its records and rows need not stay alive
/// for a large batch, and the first rows reach the client sooner.
/// </summary>
public sealed class ClientQueryBatchSizeTests
{
    private static readonly StreamDefinition Stream = new("s", RelationKind.Stream, [new ColumnSchema("k", SqlType.BigInt)], "s", 1,
        SourceFormat.Json, SourceFormat.Json, null, ",", null);

    [Theory]
    [InlineData(false, new[] { 1024, 1024, 952 })]
    [InlineData(true, new[] { 3000 })]
    public async Task Batch_sizes_follow_whether_the_sink_commits(bool commits, int[] expected)
    {
        var records = Enumerable.Range(0, 3000).Select(i => new TopicRecord(i, i, null, Encoding.UTF8.GetBytes($"{{\"k\":{i}}}"))).ToArray();
        var sink = new BatchSizes(commits);
        var task = new PartitionTask(new FixedTopic(records), 0, new RowCodec(Stream), PartitionPipeline.Build(new LogicalScan(Stream)), sink,
            new QueryMetrics("batch-size-test"), skipFailingRows: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await task.RunAsync(0, stopAt: records.Length, onProgress: null, timeout.Token);

        Assert.Equal(expected, sink.Sizes);
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
