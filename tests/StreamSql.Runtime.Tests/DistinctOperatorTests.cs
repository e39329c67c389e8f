using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using Xunit;

namespace StreamSql.Runtime.Tests;

public sealed class DistinctOperatorTests
{
    private static Value[] Row(string? page, decimal? amount) =>
        [Value.FromString(page), amount is { } a ? Value.FromNumeric(a) : Value.Null];

    [Fact]
    public void PassesEachDistinctRowOnceAcrossBatches()
    {
        using var store = new MemoryStateStore();
        var distinct = new DistinctOperator(store);
        var batch = new RowBatch();
        batch.Add(Row("/home", 1.5m));
        batch.Add(Row("/home", 1.50m));
        batch.Add(Row(null, null));
        batch.Add(Row("/cart", 2m));
        batch.Add(Row(null, null));
        distinct.Process(batch);
        Assert.Equal(3, batch.Count);
        Assert.Equal("/home", batch.Row(0)[0].AsString);
        Assert.Equal(1.5m, batch.Row(0)[1].AsNumeric);
        Assert.True(batch.Row(1)[0].IsNull);
        Assert.Equal("/cart", batch.Row(2)[0].AsString);

        batch.Clear();
        batch.Add(Row("/cart", 2.0m));
        batch.Add(Row("/about", 7m));
        distinct.Process(batch);
        Assert.Equal(1, batch.Count);
        Assert.Equal("/about", batch.Row(0)[0].AsString);
        Assert.Equal(4, distinct.Count);
    }

    [Fact]
    public void ConcurrentPartitionsAgreeOnTheFirstSighting()
    {
        using var store = new MemoryStateStore();
        var distinct = new DistinctOperator(store);
        var passed = 0;
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 1000; i++)
            {
                var batch = new RowBatch();
                batch.Add([Value.FromInt(i)]);
                distinct.Process(batch);
                Interlocked.Add(ref passed, batch.Count);
            }
        });
        Assert.Equal(1000, passed);
    }
}
