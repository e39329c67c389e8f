using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Rules;

/// <summary>Runs the rules in named stages, each to a fixed point over the whole tree, and checks that no stage changed the output schema.</summary>
public sealed class Optimizer
{
    private readonly IReadOnlyList<(string Stage, IReadOnlyList<IRewriteRule> Rules)> _stages;

    public Optimizer(IConstantEvaluator evaluator)
    {
        _stages =
        [
            ("simplify", [new FoldConstants(evaluator)]),
            ("push down", [new PushDownFilterThroughProject(), new MergeFilters(), new PushFiltersIntoStreamJoin(), new PushFilterBelowWindowAssign()]),
            ("merge", [new MergeProjects(), new FoldConstants(evaluator)]),
            ("prune", [new PruneScanColumns(), new PruneStreamJoinColumns()]),
        ];
    }

    public LogicalPlan Optimize(LogicalPlan plan)
    {
        foreach (var (stage, rules) in _stages)
        {
            var before = plan.Schema;
            for (var pass = 0; pass < 100; pass++)
            {
                var rewritten = RewriteTree(plan, rules);
                if (ReferenceEquals(rewritten, plan))
                {
                    break;
                }

                plan = rewritten;
            }

            if (!SameSchema(before, plan.Schema))
            {
                throw new InvalidOperationException($"optimizer stage '{stage}' changed the plan's schema");
            }
        }

        return plan;
    }

    /// <summary>Applies the rules bottom-up once; returns the same instance when nothing changed.</summary>
    private static LogicalPlan RewriteTree(LogicalPlan node, IReadOnlyList<IRewriteRule> rules)
    {
        var rebuilt = node switch
        {
            LogicalFilter f => Replace(f, f.Input, RewriteTree(f.Input, rules), i => f with { Input = i }),
            LogicalProject p => Replace(p, p.Input, RewriteTree(p.Input, rules), i => p with { Input = i }),
            LogicalLimit l => Replace(l, l.Input, RewriteTree(l.Input, rules), i => l with { Input = i }),
            LogicalAggregate a => Replace(a, a.Input, RewriteTree(a.Input, rules), i => a with { Input = i }),
            LogicalTopN t => Replace(t, t.Input, RewriteTree(t.Input, rules), i => t with { Input = i }),
            LogicalWindowAssign w => Replace(w, w.Input, RewriteTree(w.Input, rules), i => w with { Input = i }),
            LogicalSort s => Replace(s, s.Input, RewriteTree(s.Input, rules), i => s with { Input = i }),
            LogicalDistinct d => Replace(d, d.Input, RewriteTree(d.Input, rules), i => d with { Input = i }),
            LogicalOffset o => Replace(o, o.Input, RewriteTree(o.Input, rules), i => o with { Input = i }),
            LogicalSetOperation u => RewriteSetOperation(u, rules),
            LogicalJoin j => RewriteJoin(j, rules),
            _ => node,
        };
        foreach (var rule in rules)
        {
            if (rule.Apply(rebuilt) is { } applied)
            {
                return applied;
            }
        }

        return rebuilt;
    }

    private static LogicalPlan RewriteSetOperation(LogicalSetOperation set, IReadOnlyList<IRewriteRule> rules)
    {
        var left = RewriteTree(set.Left, rules);
        var right = RewriteTree(set.Right, rules);
        return ReferenceEquals(left, set.Left) && ReferenceEquals(right, set.Right) ? set : set with { Left = left, Right = right };
    }

    // Each side is optimized on its own (a subquery's filters, projections, read columns); the join itself is left as bound.
    private static LogicalPlan RewriteJoin(LogicalJoin join, IReadOnlyList<IRewriteRule> rules)
    {
        var left = RewriteTree(join.Left, rules);
        var right = RewriteTree(join.Right, rules);
        return ReferenceEquals(left, join.Left) && ReferenceEquals(right, join.Right) ? join : join with { Left = left, Right = right };
    }

    private static LogicalPlan Replace(LogicalPlan node, LogicalPlan oldInput, LogicalPlan newInput, Func<LogicalPlan, LogicalPlan> with) =>
        ReferenceEquals(oldInput, newInput) ? node : with(newInput);

    private static bool SameSchema(IReadOnlyList<ColumnSchema> a, IReadOnlyList<ColumnSchema> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Type == p.Second.Type);
}
