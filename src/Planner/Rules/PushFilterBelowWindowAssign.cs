using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Rules;

/// <summary>
/// Moves the conjuncts of a filter above a window assignment that do not read the window's bounds below it: rows are
/// dropped before they are assigned (once, not once per window), the aggregation can take the assignment over, and a
/// partitioned source can be repartitioned below it.
/// Before: Filter (amount > 1) ← WindowAssign TUMBLE on ts ← Scan
/// After:  WindowAssign TUMBLE on ts ← Filter (amount > 1) ← Scan
/// </summary>
public sealed class PushFilterBelowWindowAssign : IRewriteRule
{
    public string Name => "PushFilterBelowWindowAssign";

    public LogicalPlan? Apply(LogicalPlan node)
    {
        if (node is not LogicalFilter { Input: LogicalWindowAssign assign } filter)
        {
            return null;
        }

        var conjuncts = new List<BoundExpression>();
        BoundExpressionRewriter.Operands(filter.Predicate, BinaryOperator.And, conjuncts);
        BoundExpression? below = null, above = null;
        foreach (var conjunct in conjuncts)
        {
            if (BoundExpressionRewriter.ReadsColumnFrom([conjunct], assign.StartIndex))
            {
                above = BoundExpressionRewriter.And(above, conjunct);
            }
            else
            {
                below = BoundExpressionRewriter.And(below, conjunct);
            }
        }

        if (below is null)
        {
            return null;
        }

        var moved = assign with { Input = new LogicalFilter(assign.Input, below) };
        return above is null ? moved : new LogicalFilter(moved, above);
    }
}
