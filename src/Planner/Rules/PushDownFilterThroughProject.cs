using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Rules;

/// <summary>
/// Moves a filter below a projection by rewriting its columns into the projection's expressions, so rows are dropped before they are computed.
/// Before: Filter (big > 100) ← Project (amount * 10 AS big) ← Scan
/// After:  Project (amount * 10 AS big) ← Filter ((amount * 10) > 100) ← Scan
/// </summary>
public sealed class PushDownFilterThroughProject : IRewriteRule
{
    public string Name => "PushDownFilterThroughProject";

    public LogicalPlan? Apply(LogicalPlan node)
    {
        if (node is not LogicalFilter { Input: LogicalProject project } filter)
        {
            return null;
        }

        var predicate = BoundExpressionRewriter.Substitute(filter.Predicate, project.Expressions);
        return project with { Input = new LogicalFilter(project.Input, predicate) };
    }
}
