using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Rules;

/// <summary>
/// Tells a scan which columns the operators above it read, so the decoder can skip the rest (the scan's schema stays the same).
/// Before: Project (id) ← Scan orders / After: Project (id) ← Scan orders (reads id)
/// </summary>
public sealed class PruneScanColumns : IRewriteRule
{
    public string Name => "PruneScanColumns";

    public LogicalPlan? Apply(LogicalPlan node)
    {
        if (node is not LogicalProject project)
        {
            return null;
        }

        var used = new SortedSet<int>();
        BoundExpressionRewriter.CollectColumns(project.Expressions, used);

        switch (project.Input)
        {
            case LogicalScan scan when scan.ReadColumns is null:
                return project with { Input = scan with { ReadColumns = [.. used] } };
            case LogicalFilter { Input: LogicalScan { ReadColumns: null } scan } filter:
                BoundExpressionRewriter.CollectColumns(filter.Predicate, used);
                return project with { Input = filter with { Input = scan with { ReadColumns = [.. used] } } };
            default:
                return null;
        }
    }
}
