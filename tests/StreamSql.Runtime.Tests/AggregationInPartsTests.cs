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
/// A persistent aggregation's batch decoded and taken in parts (<see cref="PartitionPipeline.ProcessInParts"/>) must give
/// what the same rows give as one batch (<see cref="PartitionPipeline.Process"/>): WHERE v &gt; 0, count(*) and sum(v) per k
/// (or per k and session).
/// </summary>
public sealed class AggregationInPartsTests
{
    private static readonly StreamDefinition Stream = new("s", RelationKind.Stream, [new ColumnSchema("k", SqlType.BigInt), new ColumnSchema("v", SqlType.Int)], "s", 1,
        SourceFormat.Json, SourceFormat.Json, null, ",", null);

    private static PartitionPipeline Build(bool consolidate, bool sessions = false)
    {
        var v = new BoundColumn(1, "v", SqlType.Int);
        var filtered = new LogicalFilter(new LogicalScan(Stream), new BoundBinary(BinaryOperator.Greater, v, new BoundLiteral(0, SqlType.Int), SqlType.Boolean));
        List<BoundAggregate> aggregates =
            [new BoundAggregate("count", [], Distinct: false, Star: true, SqlType.BigInt), new BoundAggregate("sum", [v], Distinct: false, Star: false, SqlType.BigInt)];
        var aggregate = sessions
            ? new LogicalAggregate(filtered, [new BoundColumn(0, "k", SqlType.BigInt), new BoundColumn(2, "ws", SqlType.Timestamp), new BoundColumn(2, "we", SqlType.Timestamp)],
                aggregates, [new ColumnSchema("k", SqlType.BigInt), new ColumnSchema("ws", SqlType.Timestamp), new ColumnSchema("we", SqlType.Timestamp),
                    new ColumnSchema("n", SqlType.BigInt), new ColumnSchema("total", SqlType.BigInt)])
            {
                // Sessions by ROWTIME with a 50 ms gap: rows of a key come 13 ms apart, so each key's rows form sessions across parts.
                Window = new AggregateWindow(1, 2, GraceMicros: 3_600_000_000, "SESSION", SessionGapMicros: 50_000),
            }
            : new LogicalAggregate(filtered, [new BoundColumn(0, "k", SqlType.BigInt)], aggregates,
                [new ColumnSchema("k", SqlType.BigInt), new ColumnSchema("n", SqlType.BigInt), new ColumnSchema("total", SqlType.BigInt)]);
        return PartitionPipeline.BuildStateful(aggregate, new MemoryStateStore(), emitFinal: false, retractable: false, carryRowTime: false, onExpressionError: null,
            onLate: null, consolidate: consolidate);
    }

    /// <summary>Rows (k, v, ROWTIME, partition, offset): 13 keys, every seventh v not positive (filtered out).</summary>
    private static List<Value[]> Rows(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => new Value[]
        {
            Value.FromBigInt(i % 13), Value.FromInt(i % 7 == 0 ? -i : i), Value.FromTimestamp(i * 1000L), Value.FromInt(0), Value.FromBigInt(i),
        })];

    private static List<string> Render(RowBatch batch) =>
        [.. Enumerable.Range(0, batch.Count).Select(i => batch.Op(i) + " " + string.Join(",", batch.Row(i).Select(x => x.IsNull ? "null" : x.ToText())))];

    /// <param name="reuseRows">
    /// Each part is decoded into the previous part's row arrays, as PartitionTask does when the pipeline releases them: an
    /// aggregation that kept a row array would see it overwritten and give a different result.
    /// </param>
    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, false, false)]
    [InlineData(true, true, false)]
    [InlineData(false, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    [InlineData(false, true, true)]
    public void Parts_give_what_one_batch_gives(bool consolidate, bool sessions, bool reuseRows)
    {
        var whole = Build(consolidate, sessions);
        var inParts = Build(consolidate, sessions);
        Assert.True(inParts.TakesBatchesInParts);
        Assert.True(inParts.ReleasesPartRows);
        var pool = new RowArrayPool();
        var arrays = new HashSet<Value[]>(ReferenceEqualityComparer.Instance);

        foreach (var (from, count) in new[] { (0, 2500), (2500, 1700) })
        {
            var rows = Rows(from, count);
            var batch = new RowBatch();
            rows.ForEach(r => batch.Add(r));
            whole.Process(batch);

            var output = new RowBatch();
            var next = 0;
            var parts = 0;
            inParts.ProcessInParts(
                part =>
                {
                    if (next == rows.Count)
                    {
                        return false;
                    }

                    parts++;
                    pool.ReturnAll();
                    for (var end = Math.Min(rows.Count, next + 1000); next < end; next++)
                    {
                        var row = reuseRows ? pool.Rent(rows[next].Length) : rows[next];
                        rows[next].CopyTo(row, 0);
                        arrays.Add(row);
                        part.Add(row);
                    }

                    return true;
                },
                output);

            Assert.Equal((count + 999) / 1000, parts);
            Assert.True(!reuseRows || arrays.Count == 1000, $"{arrays.Count} row arrays");
            Assert.NotEmpty(Render(batch));
            Assert.Equal(Render(batch), Render(output));
        }
    }

    [Fact]
    public async Task A_row_that_fails_in_one_part_is_skipped_and_the_others_are_counted_once()
    {
        // GROUP BY k / v, count(*): record 1500 has v = 0, so its key fails (division by zero) in the second of three
        // parts, after the first part's rows were taken. Expression errors are not turned into NULLs here, so the batch
        // fails and is redone row by row, skipping that one.
        var k = new BoundColumn(0, "k", SqlType.BigInt);
        var v = new BoundColumn(1, "v", SqlType.Int);
        var aggregate = new LogicalAggregate(new LogicalScan(Stream), [new BoundBinary(BinaryOperator.Divide, k, v, SqlType.BigInt)],
            [new BoundAggregate("count", [], Distinct: false, Star: true, SqlType.BigInt)], [new ColumnSchema("g", SqlType.BigInt), new ColumnSchema("n", SqlType.BigInt)]);
        var pipeline = PartitionPipeline.BuildStateful(aggregate, new MemoryStateStore(), emitFinal: false, retractable: false, carryRowTime: false,
            onExpressionError: null, onLate: null, consolidate: true);
        Assert.True(pipeline.TakesBatchesInParts);

        var records = Enumerable.Range(0, 3000)
            .Select(i => new TopicRecord(i, i, null, Encoding.UTF8.GetBytes($"{{\"k\":{i % 5},\"v\":{(i == 1500 ? 0 : 1)}}}")))
            .ToArray();
        var sink = new LastRowPerKey();
        var metrics = new QueryMetrics("parts-test");
        var task = new PartitionTask(new FixedTopic(records), 0, new RowCodec(Stream), pipeline, sink, metrics, skipFailingRows: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await task.RunAsync(0, stopAt: records.Length, onProgress: null, timeout.Token);

        Assert.Equal(1, metrics.BadRecords);
        Assert.Equal(new Dictionary<long, long> { [0] = 599, [1] = 600, [2] = 600, [3] = 600, [4] = 600 }, sink.Counts);
    }

    [Fact]
    public async Task Over_a_tables_changelog_a_failing_row_is_skipped_without_decoding_the_batch_twice()
    {
        // The changelog decoder remembers each key's row: decoding the batch again for the row-by-row redo would turn
        // every insert into an update of itself. Such a batch is not taken in parts: the redo uses the rows decoded once.
        var table = new StreamDefinition("t", RelationKind.Table,
            [new ColumnSchema("id", SqlType.BigInt, IsKey: true), new ColumnSchema("k", SqlType.BigInt), new ColumnSchema("v", SqlType.Int)], "t", 1,
            SourceFormat.Json, SourceFormat.Json, null, ",", null);
        var aggregate = new LogicalAggregate(new LogicalScan(table),
            [new BoundBinary(BinaryOperator.Divide, new BoundColumn(1, "k", SqlType.BigInt), new BoundColumn(2, "v", SqlType.Int), SqlType.BigInt)],
            [new BoundAggregate("count", [], Distinct: false, Star: true, SqlType.BigInt)], [new ColumnSchema("g", SqlType.BigInt), new ColumnSchema("n", SqlType.BigInt)]);
        var pipeline = PartitionPipeline.BuildStateful(aggregate, new MemoryStateStore(), emitFinal: false, retractable: true, carryRowTime: false,
            onExpressionError: null, onLate: null, consolidate: true);

        var records = Enumerable.Range(0, 3000)
            .Select(i => new TopicRecord(i, i, Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Encoding.UTF8.GetBytes($"{{\"k\":{i % 5},\"v\":{(i == 1500 ? 0 : 1)}}}")))
            .ToArray();
        var sink = new LastRowPerKey();
        var metrics = new QueryMetrics("parts-table-test");
        var task = new PartitionTask(new FixedTopic(records), 0, new ChangelogRecordDecoder(new RowCodec(table), new MemoryStateStore()), pipeline, sink, metrics,
            skipFailingRows: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await task.RunAsync(0, stopAt: records.Length, onProgress: null, timeout.Token);

        Assert.Equal(1, metrics.BadRecords);
        Assert.Equal(new Dictionary<long, long> { [0] = 599, [1] = 600, [2] = 600, [3] = 600, [4] = 600 }, sink.Counts);
    }

    [Fact]
    public async Task A_task_decodes_each_part_into_the_previous_parts_row_arrays()
    {
        // count(*) per k over 5,000 records, read as one batch of five parts: the rows of all parts come from one part's
        // arrays, and the counts are still right.
        var aggregate = new LogicalAggregate(new LogicalScan(Stream), [new BoundColumn(0, "k", SqlType.BigInt)],
            [new BoundAggregate("count", [], Distinct: false, Star: true, SqlType.BigInt)], [new ColumnSchema("k", SqlType.BigInt), new ColumnSchema("n", SqlType.BigInt)]);
        var pipeline = PartitionPipeline.BuildStateful(aggregate, new MemoryStateStore(), emitFinal: false, retractable: false, carryRowTime: false,
            onExpressionError: null, onLate: null, consolidate: true);
        var records = Enumerable.Range(0, 5000)
            .Select(i => new TopicRecord(i, i, null, Encoding.UTF8.GetBytes($"{{\"k\":{i % 7},\"v\":1}}")))
            .ToArray();
        var decoder = new RowArraysSeen(new StreamRecordDecoder(new RowCodec(Stream)));
        var sink = new LastRowPerKey();
        var task = new PartitionTask(new FixedTopic(records), 0, decoder, pipeline, sink, new QueryMetrics("parts-reuse-test"), skipFailingRows: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await task.RunAsync(0, stopAt: records.Length, onProgress: null, timeout.Token);

        Assert.Equal(Enumerable.Range(0, 7).ToDictionary(k => (long)k, k => (long)Enumerable.Range(0, 5000).Count(i => i % 7 == k)), sink.Counts);
        Assert.Equal(5000, decoder.Rows);
        Assert.True(decoder.Arrays.Count <= 1024, $"{decoder.Arrays.Count} row arrays for 5,000 rows");
    }

    private sealed class LastRowPerKey : IRowSink
    {
        public Dictionary<long, long> Counts { get; } = [];

        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                Counts[batch.Row(i)[0].AsLong] = batch.Row(i)[1].AsLong;
            }

            return ValueTask.CompletedTask;
        }
    }
}
