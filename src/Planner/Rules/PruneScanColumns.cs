using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Rules;

/// <summary>
/// Tells a scan which columns the operators above it read, so the decoder can skip the rest (the scan's schema stays the same).
/// Before: Project (id) ← Scan orders / After: Project (id) ← Scan orders (reads id); likewise under a GROUP BY over a stream.
/// </summary>
public sealed class PruneScanColumns : IRewriteRule
{
    public string Name => "PruneScanColumns";

    public LogicalPlan? Apply(LogicalPlan node)
    {
        if (node is LogicalAggregate aggregate)
        {
            return PruneUnder(aggregate);
        }

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

    /// <summary>
    /// A streaming GROUP BY straight over a stream's scan (through its WHERE and window assignment): the scan decodes the
    /// columns the keys, the aggregates' arguments, the conditions and the window's time read. Not over a table: its
    /// changelog's rows are retracted whole.
    /// </summary>
    private static LogicalAggregate? PruneUnder(LogicalAggregate aggregate)
    {
        var used = new SortedSet<int>();
        BoundExpressionRewriter.CollectColumns(aggregate.Keys, used);
        foreach (var a in aggregate.Aggregates)
        {
            BoundExpressionRewriter.CollectColumns(a.Arguments, used);
        }

        return WithReadColumns(aggregate.Input, used) is { } input ? aggregate with { Input = input } : null;
    }

    // Window assignment appends its bounds after the scan's columns, so indexes below it and above it agree.
    private static LogicalPlan? WithReadColumns(LogicalPlan plan, SortedSet<int> used)
    {
        switch (plan)
        {
            case LogicalFilter filter:
                BoundExpressionRewriter.CollectColumns(filter.Predicate, used);
                return WithReadColumns(filter.Input, used) is { } belowFilter ? filter with { Input = belowFilter } : null;
            case LogicalWindowAssign assign:
                BoundExpressionRewriter.CollectColumns(assign.Time, used);
                return WithReadColumns(assign.Input, used) is { } belowAssign ? assign with { Input = belowAssign } : null;
            case LogicalScan { ReadColumns: null } scan when scan.Source.Kind == Parser.Ast.RelationKind.Stream:
                used.RemoveWhere(i => i >= scan.Schema.Count);
                return scan with { ReadColumns = [.. used] };
            default:
                return null;
        }
    }
}
