using StreamSql.Planner.Types;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using Xunit;

namespace StreamSql.Runtime.Tests;

/// <summary>
/// The streaming Top-N over rows (auction, bidder, price, rowtime); its ranked rows are those plus the rank. Output is
/// written as text lines "op auction bidder price [rank]" (the event time that ends each output row is left out).
/// </summary>
public sealed class TopNOperatorTests
{
    private const int RankColumn = 4;

    private static Value[] Bid(int auction, string bidder, int? price, long time) =>
        [Value.FromInt(auction), Value.FromString(bidder), price is { } p ? Value.FromInt(p) : Value.Null, Value.FromTimestamp(time)];

    private static TopNOperator Create(IStateStore store, long limit, bool rankOutput, Func<Value[], bool>? visible = null, bool nullsFirst = true)
    {
        Func<Value[], Value>[] output = rankOutput
            ? [r => r[0], r => r[1], r => r[2], r => r[RankColumn]]
            : [r => r[0], r => r[1], r => r[2]];
        return new TopNOperator([r => r[0]], [r => r[2]], [SqlTypeKind.Int], [true], [nullsFirst], limit, rankOutput, output, visible, rowTimeIndex: 3, store);
    }

    private static List<string> Run(TopNOperator topN, params Value[][] rows)
    {
        var batch = new RowBatch();
        foreach (var row in rows)
        {
            batch.Add(row);
        }

        topN.Process(batch);
        var lines = new List<string>();
        for (var i = 0; i < batch.Count; i++)
        {
            var row = batch.Row(i);
            var op = batch.Op(i) switch
            {
                ChangeOp.Insert => "+",
                ChangeOp.Delete => "-",
                ChangeOp.UpdateAfter => "U+",
                _ => "U-",
            };
            lines.Add(op + " " + string.Join(" ", row[..^1].Select(v => v.IsNull ? "null" : v.Kind == ValueKind.String ? v.AsString : v.AsLong.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        return lines;
    }

    [Fact]
    public void A_row_entering_at_rank_r_updates_ranks_r_to_n_and_ties_keep_arrival_order()
    {
        using var store = new MemoryStateStore();
        var topN = Create(store, 3, rankOutput: true);

        Assert.Equal(["+ 1 ann 10 1", "U+ 1 bob 30 1", "+ 1 ann 10 2", "+ 2 cat 5 1"], Run(topN, Bid(1, "ann", 10, 1), Bid(1, "bob", 30, 2), Bid(2, "cat", 5, 3)));

        // dan ties bob and came later: rank 2; ann moves to 3.
        Assert.Equal(["U+ 1 dan 30 2", "+ 1 ann 10 3"], Run(topN, Bid(1, "dan", 30, 4)));

        // A new best shifts every rank and pushes ann out; a bid below rank 3 changes nothing.
        Assert.Equal(["U+ 1 eve 50 1", "U+ 1 bob 30 2", "U+ 1 dan 30 3"], Run(topN, Bid(1, "eve", 50, 5), Bid(1, "fay", 1, 6)));
        Assert.Equal(1, topN.RowsBelowLimit);
    }

    [Fact]
    public void The_state_holds_at_most_n_rows_per_partition_and_a_new_instance_continues_from_it()
    {
        using var store = new MemoryStateStore();
        var first = Create(store, 2, rankOutput: true);
        Run(first, Bid(1, "a", 1, 1), Bid(1, "b", 2, 2), Bid(1, "c", 3, 3), Bid(2, "d", 4, 4));
        Assert.Equal(2, store.Count);

        // As after a restart from a checkpoint: the next row ranks against the stored top 2 (c 3, b 2).
        var restored = Create(store, 2, rankOutput: true);
        Assert.Empty(Run(restored, Bid(1, "e", 2, 5)));
        Assert.Equal(["U+ 1 f 5 1", "U+ 1 c 3 2"], Run(restored, Bid(1, "f", 5, 6)));
    }

    [Fact]
    public void Without_the_rank_rows_come_and_go_and_equal_output_rows_are_one()
    {
        using var store = new MemoryStateStore();
        var topN = Create(store, 2, rankOutput: false);

        Assert.Equal(["+ 1 a 5", "+ 1 b 7"], Run(topN, Bid(1, "a", 5, 1), Bid(1, "b", 7, 2)));

        // A second (b, 7) is already shown; a goes out of the top 2.
        Assert.Equal(["- 1 a 5"], Run(topN, Bid(1, "b", 7, 3)));

        // One copy of (b, 7) leaves (the other still shows it), then the last one: only then is the row deleted.
        Assert.Equal(["+ 1 c 9"], Run(topN, Bid(1, "c", 9, 4)));
        Assert.Equal(["- 1 b 7", "+ 1 d 8"], Run(topN, Bid(1, "d", 8, 5)));
    }

    [Fact]
    public void A_slot_whose_row_fails_the_outer_condition_is_deleted_and_keeps_its_rank()
    {
        using var store = new MemoryStateStore();
        // The outer WHERE's other condition: price >= 10.
        var topN = Create(store, 2, rankOutput: true, visible: r => r[2].AsLong >= 10);

        Assert.Equal(["+ 1 a 20 1"], Run(topN, Bid(1, "a", 20, 1), Bid(1, "b", 5, 2)));

        // c outranks a: slot 1 becomes c, slot 2 would be a (shown); b leaves without output (never shown).
        Assert.Equal(["U+ 1 c 30 1", "+ 1 a 20 2"], Run(topN, Bid(1, "c", 30, 3)));

        // d (8) ranks below a: nothing. A top row failing the condition deletes the slots it shifts into.
        Assert.Empty(Run(topN, Bid(1, "d", 8, 4)));
    }

    [Fact]
    public void Over_a_retracting_input_a_deleted_top_row_lets_the_next_row_in()
    {
        using var store = new MemoryStateStore();
        // Rows are identified by their first three columns (the table's); the event time may differ in a retraction.
        var topN = new TopNOperator([r => r[0]], [r => r[2]], [SqlTypeKind.Int], [true], [true], 2, rankOutput: true,
            [r => r[0], r => r[1], r => r[2], r => r[RankColumn]], null, rowTimeIndex: 3, store, retractable: true, identityWidth: 3);
        Assert.Equal(["+ 1 a 30 1", "+ 1 b 20 2"], Run(topN, Bid(1, "a", 30, 1), Bid(1, "b", 20, 2), Bid(1, "c", 10, 3)));

        // a leaves: b and c move up; then c leaves too and rank 2 is deleted; a row not in the partition changes nothing.
        var batch = new RowBatch();
        batch.Add(Bid(1, "a", 30, 99), ChangeOp.Delete);
        topN.Process(batch);
        Assert.Equal(2, batch.Count);
        Assert.Equal(("b", 1L, ChangeOp.UpdateAfter), (batch.Row(0)[1].AsString, batch.Row(0)[3].AsLong, batch.Op(0)));
        Assert.Equal(("c", 2L, ChangeOp.UpdateAfter), (batch.Row(1)[1].AsString, batch.Row(1)[3].AsLong, batch.Op(1)));

        batch.Clear();
        batch.Add(Bid(1, "c", 10, 99), ChangeOp.UpdateBefore);
        batch.Add(Bid(1, "z", 10, 99), ChangeOp.Delete);
        topN.Process(batch);
        Assert.Equal(1, batch.Count);
        Assert.Equal(("c", 2L, ChangeOp.Delete), (batch.Row(0)[1].AsString, batch.Row(0)[3].AsLong, batch.Op(0)));
        Assert.Equal(1, store.Count);

        // The partition's last row leaves: rank 1 is deleted and so is the partition's state entry.
        batch.Clear();
        batch.Add(Bid(1, "b", 20, 99), ChangeOp.Delete);
        topN.Process(batch);
        Assert.Equal(("b", 1L, ChangeOp.Delete), (batch.Row(0)[1].AsString, batch.Row(0)[3].AsLong, batch.Op(0)));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Nulls_sort_first_in_descending_order_unless_told_otherwise()
    {
        using (var store = new MemoryStateStore())
        {
            var topN = Create(store, 1, rankOutput: true);
            Assert.Equal(["+ 1 a 5 1", "U+ 1 n null 1"], Run(topN, Bid(1, "a", 5, 1), Bid(1, "n", null, 2)));
        }

        using (var store = new MemoryStateStore())
        {
            var topN = Create(store, 1, rankOutput: true, nullsFirst: false);
            Assert.Equal(["+ 1 a 5 1"], Run(topN, Bid(1, "a", 5, 1), Bid(1, "n", null, 2)));
        }
    }
}
