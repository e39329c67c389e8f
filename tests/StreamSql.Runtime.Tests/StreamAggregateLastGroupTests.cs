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
/// count(*) per key, consolidated: a row with the key of the row before it goes to that row's group without the key
/// being encoded again. Grouping must not depend on whether equal keys come one after another.
/// </summary>
public sealed class StreamAggregateLastGroupTests
{
    private static List<string> Counts(params Value[] keys)
    {
        List<BoundAggregate> aggregates = [new BoundAggregate("count", [], Distinct: false, Star: true, SqlType.BigInt)];
        var aggregate = new LogicalAggregate(new LogicalValues([], []), [new BoundColumn(0, "k", SqlType.Varchar)], aggregates,
            [new ColumnSchema("k", SqlType.Varchar), new ColumnSchema("n", SqlType.BigInt)]);
        var operation = new StreamAggregateOperator(aggregate, [r => r[0]], [[]], having: null, eventTime: null, emitFinal: false, retractable: false,
            new MemoryStateStore(), onLate: null, consolidate: true);
        var batch = new RowBatch();
        foreach (var key in keys)
        {
            batch.Add([key]);
        }

        operation.Process(batch);
        return [.. Enumerable.Range(0, batch.Count).Select(i => (batch.Row(i)[0].IsNull ? "null" : batch.Row(i)[0].ToText()) + "=" + batch.Row(i)[1].AsLong).Order()];
    }

    [Fact]
    public void Consecutive_and_interleaved_rows_of_a_key_are_counted_alike()
    {
        var a = Value.FromString("a");
        var b = Value.FromString("b");

        // A new string instance with the same text is the same key.
        Assert.Equal(["a=3", "b=2"], Counts(a, Value.FromString(new string('a', 1)), b, b, a));
        Assert.Equal(["a=2", "null=3"], Counts(Value.Null, Value.Null, a, Value.Null, a));
    }

    [Fact]
    public void Numerics_equal_in_value_but_not_in_scale_group_as_the_key_encoding_says_whatever_their_order()
    {
        var one = Value.FromNumeric(1.0m);
        var oneHundredths = Value.FromNumeric(1.00m);
        var two = Value.FromNumeric(2m);

        Assert.Equal(Counts(one, two, oneHundredths), Counts(one, oneHundredths, two));
    }
}
