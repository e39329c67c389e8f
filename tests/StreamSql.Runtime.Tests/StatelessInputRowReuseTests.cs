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
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// A pipeline without state that projects every row never passes an input row array on: a partition task decodes each
/// batch into the previous batch's arrays. One that could pass them on (a filter alone) gets fresh arrays.
/// </summary>
public sealed class StatelessInputRowReuseTests
{
    private static readonly StreamDefinition Stream = new("s", RelationKind.Stream, [new ColumnSchema("k", SqlType.BigInt), new ColumnSchema("v", SqlType.Int)], "s", 1,
        SourceFormat.Json, SourceFormat.Json, null, ",", null);

    private static readonly BoundColumn K = new(0, "k", SqlType.BigInt);
    private static readonly BoundColumn V = new(1, "v", SqlType.Int);

    [Fact]
    public async Task A_projection_decodes_each_batch_into_the_previous_batchs_arrays()
    {
        // SELECT k, v * 2 FROM s WHERE v <> 3 over 5,000 records: five client-query batches of up to 1,024.
        var plan = new LogicalProject(new LogicalFilter(new LogicalScan(Stream), new BoundBinary(BinaryOperator.NotEqual, V, new BoundLiteral(3, SqlType.Int), SqlType.Boolean)),
            [K, new BoundBinary(BinaryOperator.Multiply, V, new BoundLiteral(2, SqlType.Int), SqlType.Int)],
            [new ColumnSchema("k", SqlType.BigInt), new ColumnSchema("doubled", SqlType.Int)]);
        var pipeline = PartitionPipeline.Build(plan);
        Assert.True(pipeline.ReleasesInputRows);

        var (decoder, output) = await RunAsync(pipeline, 5000);

        Assert.Equal(5000, decoder.Rows);
        Assert.True(decoder.Arrays.Count <= 1024, $"{decoder.Arrays.Count} row arrays for 5,000 rows");
        Assert.Equal(Enumerable.Range(0, 5000).Where(i => i % 7 != 3).Select(i => $"{i},{2 * (i % 7)}"), output);
    }

    [Fact]
    public async Task A_filter_alone_passes_its_input_arrays_on_so_they_are_not_reused()
    {
        var pipeline = PartitionPipeline.Build(new LogicalFilter(new LogicalScan(Stream), new BoundBinary(BinaryOperator.NotEqual, V, new BoundLiteral(3, SqlType.Int), SqlType.Boolean)));
        Assert.False(pipeline.ReleasesInputRows);

        var (decoder, output) = await RunAsync(pipeline, 3000);

        Assert.Equal(3000, decoder.Arrays.Count);
        Assert.Equal(Enumerable.Range(0, 3000).Where(i => i % 7 != 3).Select(i => $"{i},{i % 7}"), output);
    }

    private static async Task<(RowArraysSeen Decoder, List<string> Output)> RunAsync(PartitionPipeline pipeline, int count)
    {
        var records = Enumerable.Range(0, count).Select(i => new TopicRecord(i, i, null, Encoding.UTF8.GetBytes($"{{\"k\":{i},\"v\":{i % 7}}}"))).ToArray();
        var decoder = new RowArraysSeen(new StreamRecordDecoder(new RowCodec(Stream)));
        var sink = new KeptRows();
        var task = new PartitionTask(new FixedTopic(records), 0, decoder, pipeline, sink, new QueryMetrics("row-reuse-test"), skipFailingRows: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await task.RunAsync(0, stopAt: records.Length, onProgress: null, timeout.Token);
        return (decoder, sink.Rows);
    }

    /// <summary>A client's sink: keeps the rows it is handed (after the task moved on, so reuse would show) as text at the end.</summary>
    private sealed class KeptRows : IRowSink
    {
        private readonly List<Value[]> _rows = [];

        public bool CommitsPerBatch => false;

        public List<string> Rows => [.. _rows.Select(r => $"{r[0].ToText()},{r[1].ToText()}")];

        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                _rows.Add(batch.Row(i));
            }

            return ValueTask.CompletedTask;
        }
    }
}
