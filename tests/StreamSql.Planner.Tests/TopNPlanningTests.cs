using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Explain;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Rules;

namespace StreamSql.Planner.Tests;

/// <summary>The Top-N form (ROW_NUMBER() OVER (...) in a subquery, bounded by the outer WHERE) and what is refused around it.</summary>
public sealed class TopNPlanningTests
{
    private sealed class NoConstants : IConstantEvaluator
    {
        public bool TryEvaluate(BoundExpression expression, out BoundLiteral result)
        {
            result = null!;
            return false;
        }
    }

    private static LogicalPlan Plan(string sql)
    {
        var catalog = new CatalogStore();
        catalog.AddStream(StreamBinder.BindSource((CreateRelationStatement)SqlParser.ParseOne(
            "CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP) WITH (partitions=1)")));
        return new Optimizer(new NoConstants()).Optimize(QueryBinder.Bind(((SelectStatement)SqlParser.ParseOne(sql)).Query, catalog).Plan);
    }

    private static SqlException Error(string sql) => Assert.Throws<SqlException>(() => Plan(sql));

    [Fact]
    public void The_rank_bound_becomes_the_limit_and_the_other_conditions_filter_the_ranked_rows()
    {
        var plan = Plan("SELECT auction, price, rn FROM (SELECT auction, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid WHERE price > 0) t WHERE rn <= 10 AND price < 500 AND rn < 4");

        Assert.Equal(
            [
                "Project auction AS auction, price AS price, rn AS rn",
                "└─Filter (price < 500)",
                "  └─TopN 3 by auction order price DESC (rank as rn)",
                "    └─Filter (price > 0)",
                "      └─Scan bid (topic bid, 1 partitions)",
            ],
            PlanPrinter.Print(plan));
    }

    [Theory]
    [InlineData("rn <= 5", 5)]
    [InlineData("rn < 5", 4)]
    [InlineData("5 >= rn", 5)]
    [InlineData("5 > rn", 4)]
    [InlineData("rn = 1", 1)]
    [InlineData("1 = rn", 1)]
    [InlineData("t.rn <= 7 AND rn <= 9", 7)]
    public void Every_spelling_of_the_bound_sets_the_limit(string where, long limit)
    {
        var plan = Plan($"SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price) AS rn FROM bid) t WHERE {where}");

        var topN = Assert.IsType<LogicalTopN>(((LogicalProject)plan).Input);
        Assert.Equal(limit, topN.Limit);
        Assert.True(topN.RankOutput);
        Assert.Equal(["auction", "bidder", "price", "ts", "rn"], plan.Schema.Select(c => c.Name));
    }

    [Fact]
    public void Without_the_rank_in_the_outer_select_list_the_top_n_says_so()
    {
        var plan = Plan("SELECT bidder FROM (SELECT bidder, price, ROW_NUMBER() OVER (ORDER BY price DESC NULLS LAST) AS r FROM bid) x WHERE r <= 2");

        var topN = Assert.IsType<LogicalTopN>(((LogicalProject)plan).Input);
        Assert.False(topN.RankOutput);
        Assert.Empty(topN.PartitionKeys);
        Assert.Equal("TopN 2 order price DESC NULLS LAST (rank not selected)", PlanPrinter.Print(topN)[0]);
    }

    [Theory]
    [InlineData("SELECT * FROM (SELECT auction, RANK() OVER (PARTITION BY auction ORDER BY price) AS r FROM bid) t WHERE r <= 3", "window function rank()", 31)]
    [InlineData("SELECT * FROM (SELECT auction, ROW_NUMBER() OVER (ORDER BY price) AS r FROM bid) t", "ROW_NUMBER() OVER (...) is supported only as a Top-N", 31)]
    [InlineData("SELECT * FROM (SELECT auction, ROW_NUMBER() OVER (ORDER BY price) AS r FROM bid) t WHERE r > 3 OR r <= 2", "ROW_NUMBER() OVER (...) is supported only as a Top-N", 31)]
    [InlineData("SELECT * FROM (SELECT auction, ROW_NUMBER() OVER (ORDER BY price) AS r FROM bid) t WHERE r = 2", "ROW_NUMBER() OVER (...) is supported only as a Top-N", 31)]
    [InlineData("SELECT auction, ROW_NUMBER() OVER (ORDER BY price) FROM bid", "ROW_NUMBER() OVER (...) is supported only as a Top-N", 16)]
    [InlineData("SELECT auction FROM bid WHERE count(*) OVER () > 1", "window function count()", 30)]
    [InlineData("SELECT count(*) OVER (PARTITION BY auction) FROM bid", "window function count()", 7)]
    [InlineData("SELECT * FROM (SELECT ROW_NUMBER() OVER () AS a, ROW_NUMBER() OVER () AS b FROM bid) t WHERE a <= 1", "more than one window function", 49)]
    [InlineData("SELECT count(*) FROM (SELECT auction, ROW_NUMBER() OVER (ORDER BY price) AS r FROM bid) t WHERE r <= 3", "an aggregation over ROW_NUMBER()", 0)]
    public void Other_window_functions_and_shapes_are_refused_with_0A000_and_a_position(string sql, string message, int position)
    {
        var error = Error(sql);

        Assert.Equal(SqlState.FeatureNotSupported, error.SqlState);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
    }
}
