using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Tests;

/// <summary>Which group keys keep the rows of a group in the source partition its key column put them in.</summary>
public sealed class SourceKeyRoutingTests
{
    private static IReadOnlyList<BoundExpression> GroupKeys(string groupBy)
    {
        var catalog = new CatalogStore();
        catalog.AddStream(StreamBinder.BindSource((CreateRelationStatement)SqlParser.ParseOne(
            "CREATE STREAM person (id BIGINT KEY, name VARCHAR, code VARCHAR, ts TIMESTAMP) WITH (partitions=2)")));
        var plan = QueryBinder.Bind(((SelectStatement)SqlParser.ParseOne($"SELECT count(*) FROM person GROUP BY {groupBy}")).Query, catalog).Plan;
        while (plan is not LogicalAggregate)
        {
            plan = plan switch
            {
                LogicalProject p => p.Input,
                LogicalFilter f => f.Input,
                _ => throw new InvalidOperationException(plan.GetType().Name),
            };
        }

        return ((LogicalAggregate)plan).Keys;
    }

    [Theory]
    [InlineData("id")]
    [InlineData("name, id")]
    [InlineData("CAST(id AS VARCHAR)")]
    [InlineData("CAST(id AS VARCHAR) || '@' || name")]
    [InlineData("CAST(id AS VARCHAR) || '-' || CAST(ts AS VARCHAR)")]
    [InlineData("id || ':' || name || ':' || code")]
    public void A_key_that_determines_the_key_column_keeps_the_partitioning(string groupBy) =>
        Assert.True(SourceKeyRouting.KeepsSourcePartitioning(GroupKeys(groupBy), keyIndex: 0));

    [Theory]
    // Another column, or the key column only partly: rows of one group may come from several partitions.
    [InlineData("name")]
    [InlineData("id % 10")]
    // '1' || '23' and '12' || '3' are one group: without a non-digit separator the id cannot be read back.
    [InlineData("CAST(id AS VARCHAR) || name")]
    [InlineData("CAST(id AS VARCHAR) || '7' || name")]
    // The key column after another value: its start is unknown.
    [InlineData("name || '@' || CAST(id AS VARCHAR)")]
    [InlineData("upper(CAST(id AS VARCHAR) || '@' || name)")]
    public void Other_keys_need_a_repartition(string groupBy) =>
        Assert.False(SourceKeyRouting.KeepsSourcePartitioning(GroupKeys(groupBy), keyIndex: 0));

    [Fact]
    public void A_source_without_a_key_column_is_never_partitioned_by_a_group() =>
        Assert.False(SourceKeyRouting.KeepsSourcePartitioning(GroupKeys("id"), keyIndex: -1));
}
