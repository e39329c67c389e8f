using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Explain;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Rules;

namespace StreamSql.Planner.Tests;

public sealed class OptimizerTests
{
    /// <summary>Folds integer additions only, enough to see the rule fire without the runtime.</summary>
    private sealed class AddingEvaluator : IConstantEvaluator
    {
        public bool TryEvaluate(BoundExpression expression, out BoundLiteral result)
        {
            if (expression is BoundBinary { Operator: BinaryOperator.Add, Left: BoundLiteral { Value: int a }, Right: BoundLiteral { Value: int b } })
            {
                result = new BoundLiteral(a + b, expression.Type);
                return true;
            }

            result = null!;
            return false;
        }
    }

    private static LogicalPlan Plan(string sql)
    {
        var catalog = new CatalogStore();
        catalog.AddStream(StreamBinder.BindSource((CreateRelationStatement)SqlParser.ParseOne("CREATE STREAM s (id INT KEY, a INT, b VARCHAR, c DOUBLE) WITH (partitions=1)")));
        return QueryBinder.Bind(((SelectStatement)SqlParser.ParseOne(sql)).Query, catalog).Plan;
    }

    [Fact]
    public void PushDownFilterThroughProjectRewritesThePredicate()
    {
        var plan = Plan("SELECT x FROM (SELECT a + 1 AS x FROM s) t WHERE x > 5");
        var filter = (LogicalFilter)((LogicalProject)plan).Input;

        var rewritten = new PushDownFilterThroughProject().Apply(filter);

        var project = Assert.IsType<LogicalProject>(rewritten);
        Assert.Equal("Filter ((a + 1) > 5)", PlanPrinter.Print(project.Input)[0]);
    }

    [Fact]
    public void RulesReturnNullWhereTheyDoNotApply()
    {
        var scan = Plan("SELECT id FROM s");

        Assert.Null(new PushDownFilterThroughProject().Apply(scan));
        Assert.Null(new MergeFilters().Apply(scan));
        Assert.Null(new MergeProjects().Apply(((LogicalProject)scan).Input));
    }

    [Fact]
    public void WholePipelineMergesPushesFoldsAndPrunes()
    {
        var optimized = new Optimizer(new AddingEvaluator()).Optimize(
            Plan("SELECT y FROM (SELECT x + (1 + 2) AS y FROM (SELECT a AS x, b FROM s WHERE c > 0) i WHERE x > 1) o WHERE y < 100"));

        Assert.Equal(
            [
                "Project (a + 3) AS y",
                "└─Filter (((c > 0) AND (a > 1)) AND ((a + 3) < 100))",
                "  └─Scan s (topic s, 1 partitions, reads a, c)",
            ],
            PlanPrinter.Print(optimized));
    }

    [Fact]
    public void OptimizationKeepsTheOutputSchema()
    {
        var plan = Plan("SELECT id AS k, b || 'x' AS label FROM (SELECT * FROM s WHERE a > 1) t");

        var optimized = new Optimizer(new AddingEvaluator()).Optimize(plan);

        Assert.Equal(plan.Schema, optimized.Schema);
    }
}
