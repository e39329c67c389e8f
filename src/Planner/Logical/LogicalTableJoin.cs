using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>
/// A table–table join on both tables' primary keys (INNER, LEFT or FULL): at most one result row per key, kept up to date
/// as either table changes (a push query emits its inserts, updates and deletes). Rows are Left's columns then Right's.
/// Only ON conditions equating each primary key column of one table with the same-position key column of the other (of
/// the same type) qualify: then both tables' records of a key carry the same record key, so the join matches records by
/// it, and further conditions would make a key's result depend on more than its rows.
/// </summary>
public sealed record LogicalTableJoin(LogicalScan Left, LogicalScan Right, JoinKind Kind, BoundExpression Condition, IReadOnlyList<ColumnSchema> Columns)
    : LogicalPlan(Columns)
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];

    /// <summary>The left table's primary key columns (indexes in a left row), in key order.</summary>
    public IReadOnlyList<int> LeftKeys { get; init; } = [];

    /// <summary>The right table's primary key columns (indexes in a right row), in key order: RightKeys[i] equals LeftKeys[i].</summary>
    public IReadOnlyList<int> RightKeys { get; init; } = [];

    /// <summary>The same join as a nested loop over both tables' rows, for pull queries (FULL is not one: pull queries run it from both sides).</summary>
    public LogicalJoin AsNestedLoop() => new(Left, Right, Kind, Condition, Columns);

    /// <summary>A table's primary key columns in key order: its KEY column, or the columns of a key of several (a multi-column GROUP BY).</summary>
    public static IReadOnlyList<int> KeyColumns(StreamDefinition table)
    {
        if (table.KeyIndex >= 0)
        {
            return [table.KeyIndex];
        }

        var columns = new List<int>();
        foreach (var name in table.PrimaryKey)
        {
            var index = -1;
            for (var i = 0; i < table.Columns.Count && index < 0; i++)
            {
                if (table.Columns[i].Name == name)
                {
                    index = i;
                }
            }

            if (index < 0)
            {
                return [];
            }

            columns.Add(index);
        }

        return columns;
    }

    public static LogicalTableJoin? TryCreate(LogicalJoin join)
    {
        if (join.Kind is not (JoinKind.Inner or JoinKind.Left or JoinKind.Full)
            || join.Left is not LogicalScan { Source: { Kind: not RelationKind.Stream } left } leftScan
            || join.Right is not LogicalScan { Source: { Kind: not RelationKind.Stream } right } rightScan
            || join.Condition is null)
        {
            return null;
        }

        var leftKeys = KeyColumns(left);
        var rightKeys = KeyColumns(right);
        if (leftKeys.Count == 0 || leftKeys.Count != rightKeys.Count)
        {
            return null;
        }

        var width = leftScan.Schema.Count;
        var matched = new bool[leftKeys.Count];
        var conjuncts = new List<BoundExpression>();
        BoundExpressionRewriter.Operands(join.Condition, BinaryOperator.And, conjuncts);
        foreach (var conjunct in conjuncts)
        {
            if (conjunct is not BoundBinary { Operator: BinaryOperator.Equal, Left: BoundColumn a, Right: BoundColumn b } || a.Type != b.Type)
            {
                return null;
            }

            var (l, r) = a.Index < width ? (a.Index, b.Index - width) : (b.Index, a.Index - width);
            var position = IndexOf(leftKeys, l);
            if (position < 0 || r != rightKeys[position] || matched[position])
            {
                return null;
            }

            matched[position] = true;
        }

        foreach (var done in matched)
        {
            if (!done)
            {
                return null;
            }
        }

        return new LogicalTableJoin(leftScan, rightScan, join.Kind, join.Condition, join.Columns) { LeftKeys = leftKeys, RightKeys = rightKeys };
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }
}
