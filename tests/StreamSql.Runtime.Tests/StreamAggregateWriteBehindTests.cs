using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Operators.Aggregation;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// count(*) and sum(v) per key in tumbling windows of 10 s (grace 10 s), consolidated per batch, over rows (k, window start,
/// window end, time, v): the open windows' groups stay in memory and reach the store before a checkpoint. What the
/// store holds at a checkpoint, what it counts, and what a failed batch leaves must be as if every batch saved its groups.
/// </summary>
public sealed class StreamAggregateWriteBehindTests
{
    private const long Second = 1_000_000;

    private static StreamAggregateOperator Create(IStateStore store, Func<Value[], Value>? key = null)
    {
        List<BoundAggregate> aggregates =
        [
            new BoundAggregate("count", [], Distinct: false, Star: true, SqlType.BigInt),
            new BoundAggregate("sum", [new BoundColumn(4, "v", SqlType.BigInt)], Distinct: false, Star: false, SqlType.BigInt),
        ];
        List<ColumnSchema> columns = [new("k", SqlType.BigInt), new("window_start", SqlType.Timestamp), new("window_end", SqlType.Timestamp), new("n", SqlType.BigInt), new("s", SqlType.BigInt)];
        var aggregate = new LogicalAggregate(new LogicalValues([], []),
            [new BoundColumn(0, "k", SqlType.BigInt), new BoundColumn(1, "window_start", SqlType.Timestamp), new BoundColumn(2, "window_end", SqlType.Timestamp)], aggregates, columns)
        {
            Window = new AggregateWindow(StartKey: 1, EndKey: 2, GraceMicros: 10 * Second, "TUMBLING 10 s"),
        };
        return new StreamAggregateOperator(aggregate, [key ?? (r => r[0]), r => r[1], r => r[2]], [[], [r => r[4]]], having: null, eventTime: r => r[3], emitFinal: false,
            retractable: false, store, onLate: null, consolidate: true);
    }

    private static Value[] Row(long key, long seconds, long v)
    {
        var start = seconds / 10 * 10;
        return [Value.FromBigInt(key), Value.FromTimestamp(start * Second), Value.FromTimestamp((start + 10) * Second), Value.FromTimestamp(seconds * Second), Value.FromBigInt(v)];
    }

    /// <summary>Processes one batch; the output as "k@window start=count,sum" per group.</summary>
    private static List<string> Run(StreamAggregateOperator aggregation, params Value[][] rows)
    {
        var batch = new RowBatch();
        foreach (var row in rows)
        {
            batch.Add(row);
        }

        aggregation.Process(batch);
        return [.. Enumerable.Range(0, batch.Count).Select(i => $"{batch.Row(i)[0].AsLong}@{batch.Row(i)[1].AsLong / Second}={batch.Row(i)[3].AsLong},{batch.Row(i)[4].ToText()}").Order()];
    }

    private static byte[] KeyOf(long key, long windowStartSeconds) =>
        ValueCodec.EncodeKey([Value.FromBigInt(key), Value.FromTimestamp(windowStartSeconds * Second), Value.FromTimestamp((windowStartSeconds + 10) * Second)]);

    [Fact]
    public void Open_windows_reach_the_store_at_a_checkpoint_and_a_restart_from_it_goes_on_counting()
    {
        var store = new MemoryStateStore();
        var aggregation = Create(store);
        Assert.Equal(["1@0=2,5", "2@0=1,7"], Run(aggregation, Row(1, 1, 2), Row(1, 2, 3), Row(2, 3, 7)));

        // Counted (two groups and the stream time), not yet written.
        Assert.Equal(3, store.Count);
        Assert.False(store.TryGet(KeyOf(1, 0), out _));

        store.Checkpoint();
        Assert.True(store.TryGet(KeyOf(1, 0), out _));
        Assert.Equal(3, store.Count);

        // Changed after the checkpoint: in memory again until the next one.
        Assert.Equal(["1@0=3,9"], Run(aggregation, Row(1, 4, 4)));

        // A restart from the checkpoint sees the groups as they were then (the input would be replayed from there).
        var restarted = Create(store);
        Assert.Equal(["1@0=3,6", "3@0=1,1"], Run(restarted, Row(1, 5, 1), Row(3, 5, 1)));
        Assert.Equal(4, store.Count);
    }

    [Fact]
    public void Closed_windows_leave_memory_and_the_store_whether_or_not_they_were_saved()
    {
        var store = new MemoryStateStore();
        var aggregation = Create(store);
        Run(aggregation, Row(1, 1, 1), Row(2, 2, 1));
        store.Checkpoint();
        Run(aggregation, Row(1, 11, 1), Row(3, 12, 1));
        Assert.Equal(5, store.Count);

        // Stream time 35 s closes [0, 10) (saved) and [10, 20) (only in memory).
        Assert.Equal(["4@30=1,1"], Run(aggregation, Row(4, 35, 1)));
        Assert.Equal(2, store.Count);
        Assert.False(store.TryGet(KeyOf(1, 0), out _));
        store.Checkpoint();
        Assert.False(store.TryGet(KeyOf(1, 10), out _));
        Assert.True(store.TryGet(KeyOf(4, 30), out _));
    }

    [Fact]
    public void A_batch_that_fails_leaves_the_groups_as_they_were_before_it_saved_or_not()
    {
        var store = new MemoryStateStore();
        var failing = false;
        var aggregation = Create(store, key: r => failing && r[4].AsLong == 0 ? throw new DivideByZeroException() : r[0]);
        Run(aggregation, Row(1, 1, 1), Row(2, 1, 1));
        store.Checkpoint();
        Run(aggregation, Row(2, 2, 10));

        // Group 1 (saved), group 2 (changed since) and new group 3 take rows, then the batch fails.
        failing = true;
        Assert.Throws<DivideByZeroException>(() => Run(aggregation, Row(1, 3, 100), Row(2, 3, 100), Row(3, 3, 100), Row(1, 3, 0)));

        // The next batch (the failed one's redo, row by row, in the task) starts from the groups before it.
        failing = false;
        Assert.Equal(["1@0=2,2", "2@0=3,12", "3@0=1,1"], Run(aggregation, Row(1, 4, 1), Row(2, 4, 1), Row(3, 4, 1)));
        Assert.Equal(4, store.Count);
        store.Checkpoint();
        Assert.Equal(["1@0=3,3", "2@0=4,13", "3@0=2,2"], Run(Create(store), Row(1, 5, 1), Row(2, 5, 1), Row(3, 5, 1)));
    }

    [Fact]
    public void Groups_of_closed_windows_are_reused_for_new_ones_and_count_from_nothing()
    {
        // 300 batches over 20 keys, time moving on by 1-3 s per batch with up to 5 s of disorder (never late: grace is
        // 10 s), so windows keep closing and their groups come back for new windows. Now and then a batch fails part-way
        // (then is redone) or the operator restarts from a checkpoint (groups read back from the store, others reused);
        // batch 294 does both, the checkpoint between the failure and the redo.
        var random = new Random(15);
        var store = new MemoryStateStore();
        var failing = false;
        Func<Value[], Value> key = r => failing && r[4].AsLong == 0 ? throw new DivideByZeroException() : r[0];
        var aggregation = Create(store, key);
        var totals = new Dictionary<(long Key, long Start), (long Count, long Sum)>();
        long now = 0;
        for (var b = 0; b < 300; b++)
        {
            now += random.Next(1, 4);
            var rows = new List<Value[]>();
            var touched = new HashSet<(long, long)>();
            for (var i = random.Next(1, 40); i > 0; i--)
            {
                var (k, t, v) = (random.Next(20), Math.Max(0, now - random.Next(6)), random.Next(1, 100));
                rows.Add(Row(k, t, v));
                var group = ((long)k, t / 10 * 10);
                var (count, sum) = totals.GetValueOrDefault(group);
                totals[group] = (count + 1, sum + v);
                touched.Add(group);
            }

            if (b % 17 == 5)
            {
                failing = true;
                Assert.Throws<DivideByZeroException>(() => Run(aggregation, [.. rows, Row(0, now, 0)]));
                failing = false;
            }

            if (b % 41 == 7)
            {
                store.Checkpoint();
                aggregation = Create(store, key);
            }

            var expected = touched.Select(g => $"{g.Item1}@{g.Item2}={totals[g].Count},{totals[g].Sum}").Order().ToList();
            var actual = Run(aggregation, [.. rows]);
            Assert.True(expected.SequenceEqual(actual), $"batch {b}: expected {string.Join(" ", expected)} got {string.Join(" ", actual)}");
        }
    }

    [Fact]
    public void Past_the_cache_limit_groups_are_saved_and_read_back()
    {
        var store = new MemoryStateStore();
        var aggregation = Create(store);
        var groups = StreamAggregateOperator.MaxCachedGroups + 10;
        Run(aggregation, [.. Enumerable.Range(0, groups).Select(k => Row(k, 1, 1))]);

        // Written without a checkpoint, and dropped from memory: the next rows of those groups read them back.
        Assert.True(store.TryGet(KeyOf(0, 0), out _));
        Assert.Equal(groups + 1, store.Count);
        Assert.Equal(["0@0=2,3", "7@0=2,3"], Run(aggregation, Row(0, 2, 2), Row(7, 2, 2)));
        Assert.Equal(groups + 1, store.Count);

        // Closing the window deletes every group of it from the store, those read back into memory and the others.
        Assert.Equal(["5@20=1,1"], Run(aggregation, Row(5, 25, 1)));
        Assert.False(store.TryGet(KeyOf(0, 0), out _));
        Assert.False(store.TryGet(KeyOf(groups - 1, 0), out _));
        Assert.Equal(2, store.Count);
    }
}
