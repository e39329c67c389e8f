using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Rules;

/// <summary>
/// Joins two adjacent filters into one conjunction.
/// Before: Filter (b) ← Filter (a) ← Scan / After: Filter (a AND b) ← Scan
/// </summary>
public sealed class MergeFilters : IRewriteRule
{
    public string Name => "MergeFilters";

    public LogicalPlan? Apply(LogicalPlan node) =>
        node is LogicalFilter { Input: LogicalFilter inner } outer
            ? new LogicalFilter(inner.Input, new BoundBinary(BinaryOperator.And, inner.Predicate, outer.Predicate, SqlType.Boolean))
            : null;
}
