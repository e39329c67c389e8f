using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Tests;

/// <summary>The stream–stream join operator fed rows in a chosen order: windows, padding when windows close, late rows.</summary>
public sealed class StreamStreamJoinOperatorTests
{
    private const long Minute = 60_000_000;

    private static StreamDefinition Stream(string name) =>
        new(name, RelationKind.Stream, [new ColumnSchema("k", SqlType.Int, IsKey: true), new ColumnSchema("v", SqlType.Varchar)], name, 1,
            SourceFormat.Kafka, SourceFormat.Json, null, ",", null);

    private static (StreamStreamJoinOperator Join, List<long> Late) Create(JoinKind kind, long before, long after, long grace)
    {
        var plan = new LogicalStreamJoin(new LogicalScan(Stream("l")), new LogicalScan(Stream("r")), kind, new BoundColumn(0, "k", SqlType.Int),
            new BoundColumn(0, "k", SqlType.Int), null, before, after, grace, [.. Stream("l").RowSchema, .. Stream("r").RowSchema]);
        var late = new List<long>();
        var join = new StreamStreamJoinOperator(plan, row => row[0], row => row[0], null, new MemoryStateStore(), late.Add);
        return (join, late);
    }

    private static Value[] Row(int key, string value, long time) =>
        [Value.FromInt(key), Value.FromString(value), Value.FromTimestamp(time), Value.FromInt(0), Value.FromBigInt(0)];

    private static List<string> Feed(StreamStreamJoinOperator join, params (int Side, Value[] Row)[] input)
    {
        var output = new RowBatch();
        foreach (var (side, row) in input)
        {
            join.Process(side, row, output);
        }

        return Render(output);
    }

    private static List<string> Render(RowBatch batch) =>
        Enumerable.Range(0, batch.Count).Select(i => (batch.Row(i)[1].IsNull ? "-" : batch.Row(i)[1].AsString) + "+" + (batch.Row(i)[6].IsNull ? "-" : batch.Row(i)[6].AsString)).ToList();

    [Fact]
    public void FullJoinPadsUnmatchedRowsOnlyWhenTheirWindowCloses()
    {
        var (join, late) = Create(JoinKind.Full, before: 60 * Minute, after: 60 * Minute, grace: 0);
        var output = Feed(join,
            (0, Row(1, "l1", 0)),
            (0, Row(2, "l2", 0)),
            (1, Row(3, "r3", 10 * Minute)),
            (1, Row(1, "r1", 30 * Minute)),
            // 61 minutes: l2's window (0 + 60 minutes) has closed, r3's (10 + 60) has not.
            (0, Row(9, "l9", 61 * Minute)),
            // 71 minutes: r3's closes; r1 and l1 matched, so they just leave.
            (0, Row(8, "l8", 100 * Minute)));

        Assert.Equal(["l1+r1", "l2+-", "-+r3"], output);
        Assert.Empty(late);
    }

    [Fact]
    public void AsymmetricWindowAndLateRows()
    {
        // A right row may be at most 0 minutes before the left row and 10 minutes after it; 5 minutes of grace.
        var (join, late) = Create(JoinKind.Left, before: 0, after: 10 * Minute, grace: 5 * Minute);
        var output = Feed(join,
            (1, Row(1, "r1-early", 0)),
            (0, Row(1, "l1", 1 * Minute)),
            (1, Row(1, "r1", 11 * Minute)),
            (1, Row(2, "r2", 30 * Minute)),
            // Stream time 30 minutes, grace 5: a row at 20 minutes is late.
            (0, Row(2, "l2-late", 20 * Minute)),
            (0, Row(2, "l2", 29 * Minute)));

        Assert.Equal(["l1+r1", "l2+r2"], output);
        Assert.Single(late);
    }

    private static Value[] Row(int key, string value, long time, long offset) =>
        [Value.FromInt(key), Value.FromString(value), Value.FromTimestamp(time), Value.FromInt(0), Value.FromBigInt(offset)];

    [Fact]
    public void BufferedRowsOfAKeyStayInTimeThenOffsetOrderHoweverTheyArrive()
    {
        // Left rows of key 1: in order (appended to the stored list), then one older (inserted before the last), then
        // two at an equal time whose offsets decide. A right row matching all of them meets them in that order.
        var (join, late) = Create(JoinKind.Inner, before: 60 * Minute, after: 60 * Minute, grace: 60 * Minute);
        var output = Feed(join,
            (0, Row(1, "t10", 10 * Minute, offset: 1)),
            (0, Row(1, "t30", 30 * Minute, offset: 2)),
            (0, Row(1, "t20", 20 * Minute, offset: 3)),
            (0, Row(1, "t30-offset9", 30 * Minute, offset: 9)),
            (0, Row(1, "t30-offset5", 30 * Minute, offset: 5)),
            (1, Row(1, "r", 40 * Minute, offset: 1)));

        Assert.Equal(["t10+r", "t20+r", "t30+r", "t30-offset5+r", "t30-offset9+r"], output);
        Assert.Empty(late);
    }

    [Fact]
    public void CloseEmitsTheOuterRowsStillWaiting()
    {
        var (join, _) = Create(JoinKind.Left, before: 60 * Minute, after: 60 * Minute, grace: 0);
        var output = Feed(join, (0, Row(1, "l1", 0)), (1, Row(2, "r2", 0)));
        Assert.Empty(output);

        var closed = new RowBatch();
        join.Close(closed);
        Assert.Equal(["l1+-"], Render(closed));
    }
}
