using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Rules;

/// <summary>
/// Moves the conjuncts of a filter above a stream–stream join that read one input alone into the join, so rows that
/// cannot pass are not buffered, stored or probed. Left-only conditions go in for INNER and LEFT joins (a LEFT join's
/// output always carries its left row as it came), right-only ones for INNER joins only (LEFT and FULL joins pad).
/// Before: Filter (a.category = 10 AND p.state = 'OR') ← StreamJoin a, p
/// After:  StreamJoin a (where category = 10), p (where state = 'OR')
/// </summary>
public sealed class PushFiltersIntoStreamJoin : IRewriteRule
{
    public string Name => "PushFiltersIntoStreamJoin";

    public LogicalPlan? Apply(LogicalPlan node)
    {
        if (node is not LogicalFilter { Input: LogicalStreamJoin join } filter)
        {
            return null;
        }

        var leftWidth = join.Left.Schema.Count;
        var conjuncts = new List<BoundExpression>();
        BoundExpressionRewriter.Operands(filter.Predicate, BinaryOperator.And, conjuncts);
        var (left, right, rest) = (join.LeftFilter, join.RightFilter, (BoundExpression?)null);
        var pushed = false;
        foreach (var conjunct in conjuncts)
        {
            switch (LogicalStreamJoin.SideOf(conjunct, leftWidth))
            {
                case 1 when join.Kind is JoinKind.Inner or JoinKind.Left:
                    left = BoundExpressionRewriter.And(left, conjunct);
                    pushed = true;
                    break;
                case 2 when join.Kind is JoinKind.Inner:
                    right = BoundExpressionRewriter.And(right, BoundExpressionRewriter.Rewrite(conjunct, e => e is BoundColumn c ? c with { Index = c.Index - leftWidth } : null));
                    pushed = true;
                    break;
                default:
                    rest = BoundExpressionRewriter.And(rest, conjunct);
                    break;
            }
        }

        if (!pushed)
        {
            return null;
        }

        var into = join with { LeftFilter = left, RightFilter = right };
        return rest is null ? into : new LogicalFilter(into, rest);
    }
}
