using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Rules;

/// <summary>
/// Collapses a projection over a projection into one, substituting the inner expressions into the outer ones.
/// Before: Project (x + 1 AS y) ← Project (a * 2 AS x) ← Scan / After: Project ((a * 2) + 1 AS y) ← Scan
/// </summary>
public sealed class MergeProjects : IRewriteRule
{
    public string Name => "MergeProjects";

    public LogicalPlan? Apply(LogicalPlan node)
    {
        if (node is not LogicalProject { Input: LogicalProject inner } outer)
        {
            return null;
        }

        var merged = outer.Expressions.Select(e => BoundExpressionRewriter.Substitute(e, inner.Expressions)).ToList();
        return new LogicalProject(inner.Input, merged, outer.Columns);
    }
}
