using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>
/// A table–table join on both tables' primary keys (INNER, LEFT or FULL): at most one result row per key, kept up to date
/// as either table changes (a push query emits its inserts, updates and deletes). Rows are Left's columns then Right's.
/// Only ON left.key = right.key qualifies (further conditions would make a key's result depend on more than its rows).
/// </summary>
public sealed record LogicalTableJoin(LogicalScan Left, LogicalScan Right, JoinKind Kind, BoundExpression Condition, IReadOnlyList<ColumnSchema> Columns)
    : LogicalPlan(Columns)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];

    /// <summary>The same join as a nested loop over both tables' rows, for pull queries (FULL is not one: pull queries run it from both sides).</summary>
    public LogicalJoin AsNestedLoop() => new(Left, Right, Kind, Condition, Columns);

    public static LogicalTableJoin? TryCreate(LogicalJoin join)
    {
        if (join.Kind is not (JoinKind.Inner or JoinKind.Left or JoinKind.Full)
            || join.Left is not LogicalScan { Source: { Kind: not RelationKind.Stream, KeyIndex: >= 0 } left } leftScan
            || join.Right is not LogicalScan { Source: { Kind: not RelationKind.Stream, KeyIndex: >= 0 } right } rightScan
            || join.Condition is not BoundBinary { Operator: BinaryOperator.Equal, Left: BoundColumn a, Right: BoundColumn b })
        {
            return null;
        }

        var leftKey = left.KeyIndex;
        var rightKey = leftScan.Schema.Count + right.KeyIndex;
        var onKeys = (a.Index == leftKey && b.Index == rightKey) || (a.Index == rightKey && b.Index == leftKey);
        return onKeys && a.Type == b.Type ? new LogicalTableJoin(leftScan, rightScan, join.Kind, join.Condition, join.Columns) : null;
    }
}
