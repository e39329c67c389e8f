using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Operators.Aggregation;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using Xunit;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// count(*) and count(DISTINCT v) per key over rows (key, v), consolidated per batch: the aggregation keeps the groups
/// of recent batches decoded, and the results must be those of groups read back from the store.
/// </summary>
public sealed class StreamAggregateRecentGroupsTests
{
    private static StreamAggregateOperator Create(IStateStore store, bool retractable = false, Func<Value[], Value>? key = null)
    {
        List<BoundAggregate> aggregates =
        [
            new BoundAggregate("count", [], Distinct: false, Star: true, SqlType.BigInt),
            new BoundAggregate("count", [new BoundColumn(1, "v", SqlType.Int)], Distinct: true, Star: false, SqlType.BigInt),
        ];
        List<ColumnSchema> columns = [new("k", SqlType.BigInt), new("n", SqlType.BigInt), new("vs", SqlType.BigInt)];
        var aggregate = new LogicalAggregate(new LogicalValues([], []), [new BoundColumn(0, "k", SqlType.BigInt)], aggregates, columns);
        return new StreamAggregateOperator(aggregate, [key ?? (r => r[0])], [[], [r => r[1]]], having: null, eventTime: null, emitFinal: false, retractable, store,
            onLate: null, consolidate: true);
    }

    private static Dictionary<long, (long Count, long Distinct, ChangeOp Op)> Run(StreamAggregateOperator aggregation, IEnumerable<(long Key, int V, ChangeOp Op)> rows)
    {
        var batch = new RowBatch();
        foreach (var (key, v, op) in rows)
        {
            batch.Add([Value.FromBigInt(key), Value.FromInt(v)], op);
        }

        aggregation.Process(batch);
        var output = new Dictionary<long, (long, long, ChangeOp)>();
        for (var i = 0; i < batch.Count; i++)
        {
            var row = batch.Row(i);
            output[row[0].AsLong] = (row[1].AsLong, row[2].AsLong, batch.Op(i));
        }

        return output;
    }

    private static IEnumerable<(long Key, int V, ChangeOp Op)> Inserts(long from, long count, int v) =>
        Enumerable.Range(0, (int)count).Select(i => (from + i, v, ChangeOp.Insert));

    [Fact]
    public void Groups_past_the_kept_generations_are_read_back_from_the_store_with_their_distinct_values()
    {
        var store = new MemoryStateStore();
        var aggregation = Create(store);
        var groups = (RecentGroups<object>.GenerationLimit * 2) + 1000;

        Run(aggregation, Inserts(0, groups, 1));
        Run(aggregation, Inserts(0, groups, 2));
        // Only the last 2 generations of groups are kept decoded: key 0 went out of them, the last key did not.
        var third = Run(aggregation, [(0, 2, ChangeOp.Insert), (0, 3, ChangeOp.Insert), (groups - 1, 1, ChangeOp.Insert)]);

        Assert.Equal((4L, 3L, ChangeOp.UpdateAfter), third[0]);
        Assert.Equal((3L, 2L, ChangeOp.UpdateAfter), third[groups - 1]);

        // A new operator over the same store (a restart) sees what the kept groups saw.
        var restarted = Run(Create(store), [(0, 4, ChangeOp.Insert), (groups - 1, 1, ChangeOp.Insert)]);
        Assert.Equal((5L, 4L, ChangeOp.UpdateAfter), restarted[0]);
        Assert.Equal((4L, 2L, ChangeOp.UpdateAfter), restarted[groups - 1]);
    }

    [Fact]
    public void A_group_retracted_to_nothing_starts_again_from_nothing()
    {
        var store = new MemoryStateStore();
        var aggregation = Create(store, retractable: true);

        Run(aggregation, [(7, 1, ChangeOp.Insert), (7, 1, ChangeOp.Insert)]);
        Assert.Equal(ChangeOp.Delete, Run(aggregation, [(7, 1, ChangeOp.Delete), (7, 1, ChangeOp.Delete)])[7].Op);
        Assert.False(store.TryGet(KeyOf(7), out _));

        Assert.Equal((1L, 1L, ChangeOp.Insert), Run(aggregation, [(7, 5, ChangeOp.Insert)])[7]);
    }

    [Fact]
    public void A_batch_that_fails_leaves_the_groups_as_the_store_has_them()
    {
        var store = new MemoryStateStore();
        var failing = false;
        var aggregation = Create(store, key: r => failing && r[1].AsInt == 0 ? throw new DivideByZeroException() : r[0]);
        var batch = new RowBatch();
        batch.Add([Value.FromBigInt(1), Value.FromInt(1)]);
        aggregation.Process(batch);

        // The row for key 1 is counted, then the batch fails before it is saved: the next batch must not see that count.
        failing = true;
        batch.Clear();
        batch.Add([Value.FromBigInt(1), Value.FromInt(1)]);
        batch.Add([Value.FromBigInt(2), Value.FromInt(0)]);
        Assert.Throws<DivideByZeroException>(() => aggregation.Process(batch));

        failing = false;
        batch.Clear();
        batch.Add([Value.FromBigInt(1), Value.FromInt(3)]);
        aggregation.Process(batch);
        Assert.Equal([2L, 2L], [batch.Row(0)[1].AsLong, batch.Row(0)[2].AsLong]);
    }

    [Fact]
    public void Kept_groups_are_bounded_by_their_saved_bytes_too()
    {
        var recent = new RecentGroups<string>();
        var half = (int)(RecentGroups<string>.GenerationBytes / 2);
        recent.Keep([1], "a", half);
        recent.Keep([2], "b", half);
        // The young generation is full: c starts a new one, a and b are the old one; d pushes them out.
        recent.Keep([3], "c", half);
        recent.Keep([4], "d", half + 1);

        Assert.False(recent.TryTake([1], out _, out _));
        Assert.True(recent.TryTake([3], out _, out var c));
        Assert.Equal("c", c);
        Assert.True(recent.TryTake([4], out _, out _));

        // A group larger than a generation is not kept at all.
        recent.Keep([5], "huge", (int)RecentGroups<string>.GenerationBytes + 1);
        Assert.False(recent.TryTake([5], out _, out _));
    }

    private static byte[] KeyOf(long key) => ValueCodec.EncodeKey([Value.FromBigInt(key)]);
}
