using System.Text;
using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;
using StreamSql.Runtime.Tables;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>A stream–table join's table rows keep each key's versions by event time, so lookups are as of a row's time.</summary>
public sealed class PartitionTableRowsTests
{
    private const long Second = 1_000_000;
    private static readonly StreamDefinition Table =
        StreamBinder.BindSource((CreateRelationStatement)SqlParser.ParseOne("CREATE TABLE t (id VARCHAR PRIMARY KEY, v INT) WITH (value_format='JSON')"));

    private static readonly KeyFormat Key = new(Table.KeyFormat, Table.Columns[Table.KeyIndex].Type);

    private static void Apply(PartitionTableRows rows, string key, int? v, long seconds)
    {
        var value = v is null ? null : Encoding.UTF8.GetBytes($"{{\"v\":{v}}}");
        Assert.True(rows.Apply(new TopicRecord(0, seconds * 1000, Key.Serialize(Value.FromString(key)), value), null, seconds * Second, out var error), error);
    }

    private static int? At(PartitionTableRows rows, string key, long seconds) =>
        rows.Lookup(Value.FromString(key), seconds * Second) is { } row ? row[1].AsInt : null;

    [Fact]
    public void LookupsSeeTheVersionCurrentAtTheirTime()
    {
        var rows = new PartitionTableRows(Table, 0, new MemoryStateStore());
        Apply(rows, "a", 1, 100);
        Apply(rows, "a", 2, 200);
        Apply(rows, "a", null, 300);
        Apply(rows, "a", 4, 400);

        Assert.Null(At(rows, "a", 99));
        Assert.Equal(1, At(rows, "a", 100));
        Assert.Equal(1, At(rows, "a", 199));
        Assert.Equal(2, At(rows, "a", 200));
        Assert.Null(At(rows, "a", 350));
        Assert.Equal(4, At(rows, "a", 500));
        Assert.Null(At(rows, "b", 500));
    }

    [Fact]
    public void AChangeArrivingOutOfOrderTakesItsPlaceInTime()
    {
        var rows = new PartitionTableRows(Table, 0, new MemoryStateStore());
        Apply(rows, "a", 1, 100);
        Apply(rows, "a", 3, 300);
        Apply(rows, "a", 2, 200);

        Assert.Equal(1, At(rows, "a", 150));
        Assert.Equal(2, At(rows, "a", 250));
        Assert.Equal(3, At(rows, "a", 300));
    }

    [Fact]
    public void VersionsOlderThanTheHistoryAreDropped()
    {
        var rows = new PartitionTableRows(Table, 0, new MemoryStateStore());
        var day = PartitionTableRows.HistoryMicros / Second;
        Apply(rows, "a", 1, 0);
        Apply(rows, "a", 2, 10);
        Assert.Equal(2, At(rows, "a", 2 * day));

        // The stream is now two days on: the version superseded at 10 s is past the history and goes with the next change;
        // a row that late gets the oldest version kept.
        Apply(rows, "a", 3, 2 * day + 1);
        Assert.Equal(2, At(rows, "a", 5));
        Assert.Equal(2, At(rows, "a", 2 * day));
        Assert.Equal(3, At(rows, "a", 2 * day + 1));

        // A key deleted with no earlier version left is forgotten.
        Apply(rows, "b", 1, 2 * day);
        Apply(rows, "b", null, 4 * day);
        Apply(rows, "b", null, 4 * day + 1);
        Assert.Null(At(rows, "b", 4 * day));
    }

    [Fact]
    public void AKeyKeepsAtMostSoManyEarlierVersions()
    {
        var rows = new PartitionTableRows(Table, 0, new MemoryStateStore());
        for (var i = 0; i < 200; i++)
        {
            Apply(rows, "a", i, i);
        }

        Assert.Equal(199, At(rows, "a", 500));
        Assert.Equal(150, At(rows, "a", 150));
        var oldest = 199 - PartitionTableRows.MaxOlderVersions;
        Assert.Equal(oldest, At(rows, "a", oldest));
        Assert.Equal(oldest, At(rows, "a", 3));
    }

    [Fact]
    public void RowsAndTheirChangelogOffsetLiveInTheStore()
    {
        var store = new MemoryStateStore();
        var rows = new PartitionTableRows(Table, 0, store);
        Assert.Null(rows.RestoredTableOffset);
        Apply(rows, "a", 1, 100);
        Apply(rows, "a", 2, 200);
        rows.SaveProgress(42);

        // A second instance over the same store (as after a restart from a checkpoint) has the versions and the offset.
        var reopened = new PartitionTableRows(Table, 0, store);
        Assert.Equal(42, reopened.RestoredTableOffset);
        Assert.Equal(1, At(reopened, "a", 150));
        Assert.Equal(2, At(reopened, "a", 250));
    }
}
