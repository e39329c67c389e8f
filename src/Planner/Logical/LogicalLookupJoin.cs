using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>
/// A stream–table join on the table's primary key (ksqlDB semantics): each row of Left (a stream) is joined with the
/// table row current when it is processed, found by a point lookup of LeftKey. INNER drops rows without a match, LEFT
/// pads the table's columns with NULLs. Rows are Left's columns then the table's (Right.Schema); Condition is the whole
/// ON condition over that combined row (pull queries run it as a nested loop), Residual the part of it besides the key
/// equality (null when there is none).
/// </summary>
public sealed record LogicalLookupJoin(LogicalPlan Left, LogicalScan Right, JoinKind Kind, BoundExpression Condition, BoundExpression LeftKey,
    BoundExpression? Residual, IReadOnlyList<ColumnSchema> Columns) : LogicalPlan(Columns)
{
    public StreamDefinition Table => Right.Source;

    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];

    /// <summary>The same join as a nested loop over both inputs, for pull queries.</summary>
    public LogicalJoin AsNestedLoop() => new(Left, Right, Kind, Condition, Columns);

    /// <summary>
    /// The lookup form of a join when it has one: Left reads a stream, Right is a table's scan, the kind is INNER or LEFT,
    /// and one conjunct of the condition is (expression over Left's columns) = (the table's key column) of the same type.
    /// </summary>
    public static LogicalLookupJoin? TryCreate(LogicalJoin join)
    {
        if (join.Kind is not (JoinKind.Inner or JoinKind.Left) || join.Condition is null
            || join.Right is not LogicalScan { Source: { Kind: not RelationKind.Stream, KeyIndex: >= 0 } table } right
            || LeafSource(join.Left) is not { Kind: RelationKind.Stream })
        {
            return null;
        }

        var leftWidth = join.Left.Schema.Count;
        var keyIndex = leftWidth + table.KeyIndex;
        var conjuncts = new List<BoundExpression>();
        BoundExpressionRewriter.Operands(join.Condition, BinaryOperator.And, conjuncts);
        for (var i = 0; i < conjuncts.Count; i++)
        {
            if (conjuncts[i] is not BoundBinary { Operator: BinaryOperator.Equal } equal)
            {
                continue;
            }

            var leftKey = (equal.Left, equal.Right) switch
            {
                (BoundColumn c, var other) when c.Index == keyIndex && ReadsOnlyBelow(other, leftWidth) => other,
                (var other, BoundColumn c) when c.Index == keyIndex && ReadsOnlyBelow(other, leftWidth) => other,
                _ => null,
            };
            if (leftKey is null || leftKey.Type != table.Columns[table.KeyIndex].Type)
            {
                continue;
            }

            BoundExpression? residual = null;
            for (var j = 0; j < conjuncts.Count; j++)
            {
                if (j != i)
                {
                    residual = residual is null ? conjuncts[j] : new BoundBinary(BinaryOperator.And, residual, conjuncts[j], conjuncts[j].Type);
                }
            }

            return new LogicalLookupJoin(join.Left, right, join.Kind, join.Condition, leftKey, residual, join.Columns);
        }

        return null;
    }

    /// <summary>The stream a chain of row-by-row steps reads, if it is one.</summary>
    private static StreamDefinition? LeafSource(LogicalPlan plan) => plan switch
    {
        LogicalScan scan => scan.Source,
        LogicalFilter => LeafSource(plan.Inputs[0]),
        _ => null,
    };

    private static bool ReadsOnlyBelow(BoundExpression expression, int width)
    {
        var columns = new SortedSet<int>();
        BoundExpressionRewriter.CollectColumns(expression, columns);
        return columns.Count > 0 && columns.Max < width;
    }
}
