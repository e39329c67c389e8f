using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Rules;

/// <summary>
/// Tells the scans under a stream–stream join which columns the join and the operators above it read, so the decoder
/// leaves the rest NULL and the join buffers and stores only what is used (the schemas stay the same).
/// Before: Project (p.name, a.id) ← StreamJoin ON a.seller = p.id ← Scan auction, Scan person
/// After:  the same, Scan auction (reads id, seller), Scan person (reads id, name)
/// </summary>
public sealed class PruneStreamJoinColumns : IRewriteRule
{
    public string Name => "PruneStreamJoinColumns";

    public LogicalPlan? Apply(LogicalPlan node)
    {
        if (node is not LogicalProject project)
        {
            return null;
        }

        var used = new SortedSet<int>();
        BoundExpressionRewriter.CollectColumns(project.Expressions, used);

        var (join, filter) = project.Input switch
        {
            LogicalStreamJoin j => (j, (LogicalFilter?)null),
            LogicalFilter { Input: LogicalStreamJoin j } f => (j, f),
            _ => (null, null),
        };
        if (join is null || join.Left.ReadColumns is not null || join.Right.ReadColumns is not null)
        {
            return null;
        }

        if (filter is not null)
        {
            BoundExpressionRewriter.CollectColumns(filter.Predicate, used);
        }

        if (join.Residual is not null)
        {
            BoundExpressionRewriter.CollectColumns(join.Residual, used);
        }

        var leftWidth = join.Left.Schema.Count;
        var left = new SortedSet<int>(used.Where(c => c < leftWidth));
        var right = new SortedSet<int>(used.Where(c => c >= leftWidth).Select(c => c - leftWidth));
        BoundExpressionRewriter.CollectColumns(join.LeftKey, left);
        BoundExpressionRewriter.CollectColumns(join.RightKey, right);
        if (join.LeftFilter is not null)
        {
            BoundExpressionRewriter.CollectColumns(join.LeftFilter, left);
        }

        if (join.RightFilter is not null)
        {
            BoundExpressionRewriter.CollectColumns(join.RightFilter, right);
        }

        var pruned = join with { Left = join.Left with { ReadColumns = [.. left] }, Right = join.Right with { ReadColumns = [.. right] } };
        return project with { Input = filter is null ? pruned : filter with { Input = pruned } };
    }
}
