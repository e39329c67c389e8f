using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;

namespace StreamSql.Planner.Logical;

/// <summary>
/// A stream–stream join WITHIN a time window (Kafka Streams semantics): a left row at time t joins the right rows with
/// the same key whose time is in [t - Before, t + After]; both sides are buffered by key. INNER, LEFT or FULL: an outer
/// row that found no partner is emitted padded with NULLs once stream time passes its window's end plus Grace.
/// Rows are Left's columns then Right's; LeftKey is over a left row, RightKey over a right row, Residual (the rest of the
/// ON condition, or null) over the combined row. Times are the rows' ROWTIME, in microseconds.
/// </summary>
public sealed record LogicalStreamJoin(LogicalScan Left, LogicalScan Right, JoinKind Kind, BoundExpression LeftKey, BoundExpression RightKey,
    BoundExpression? Residual, long BeforeMicros, long AfterMicros, long GraceMicros, IReadOnlyList<ColumnSchema> Columns) : LogicalPlan(Columns)
{
    /// <summary>Grace when WITHIN has no GRACE PERIOD: 24 hours, as ksqlDB's joins and this engine's windows.</summary>
    public const long DefaultGraceMicros = 24L * 3600 * 1_000_000;

    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];

    /// <summary>
    /// A WHERE condition on the left input alone, pushed into the join (over a left row): a row failing it is neither
    /// buffered nor joined, though it still moves stream time forward as it did when the condition was above the join.
    /// </summary>
    public BoundExpression? LeftFilter { get; init; }

    /// <summary>As LeftFilter, over a right row (pushed only into an INNER join: a LEFT or FULL join pads right rows).</summary>
    public BoundExpression? RightFilter { get; init; }

    /// <summary>Checks a JOIN ... WITHIN is one this engine runs and builds it; errors say what is missing (SQLSTATE 0A000).</summary>
    public static LogicalStreamJoin Create(LogicalJoin join, long beforeMicros, long afterMicros, long graceMicros, int position)
    {
        if (join.Left is not LogicalScan { Source.Kind: RelationKind.Stream } left || join.Right is not LogicalScan { Source.Kind: RelationKind.Stream } right)
        {
            throw SqlException.NotSupported("JOIN ... WITHIN other than between two streams", position);
        }

        if (join.Kind is not (JoinKind.Inner or JoinKind.Left or JoinKind.Full))
        {
            throw SqlException.NotSupported(join.Kind.ToString().ToUpperInvariant() + " JOIN ... WITHIN", position);
        }

        var leftWidth = left.Schema.Count;
        var conjuncts = new List<BoundExpression>();
        BoundExpressionRewriter.Operands(join.Condition, BinaryOperator.And, conjuncts);
        for (var i = 0; i < conjuncts.Count; i++)
        {
            if (conjuncts[i] is not BoundBinary { Operator: BinaryOperator.Equal } equal)
            {
                continue;
            }

            var (leftKey, rightKey) = SideOf(equal.Left, leftWidth) switch
            {
                1 when SideOf(equal.Right, leftWidth) == 2 => (equal.Left, equal.Right),
                2 when SideOf(equal.Right, leftWidth) == 1 => (equal.Right, equal.Left),
                _ => (null, null),
            };
            if (leftKey is null || rightKey is null || leftKey.Type != rightKey.Type)
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

            var rebasedRightKey = BoundExpressionRewriter.Rewrite(rightKey, e => e is BoundColumn c ? c with { Index = c.Index - leftWidth } : null);
            return new LogicalStreamJoin(left, right, join.Kind, leftKey, rebasedRightKey, residual, beforeMicros, afterMicros, graceMicros, join.Columns);
        }

        throw SqlException.NotSupported("JOIN ... WITHIN without an ON equality between an expression of each stream", position);
    }

    /// <summary>True when the key expression of a side (over that side's row) is its stream's KEY column, so rows are partitioned by it.</summary>
    public static bool IsKeyColumn(BoundExpression expression, StreamDefinition source) =>
        expression is BoundColumn c && source.KeyIndex >= 0 && c.Index == source.KeyIndex;

    /// <summary>
    /// Rows with equal keys meet in one partition task only if both sides have as many partitions and, with more than one,
    /// are keyed by the join key in the same key format (both writers hash the same key bytes). Otherwise a persistent
    /// query repartitions (the runtime knows the topics' actual partition counts, which decide).
    /// </summary>
    public bool IsCoPartitioned(int leftPartitions, int rightPartitions) =>
        leftPartitions == rightPartitions
        && (leftPartitions == 1 || (IsKeyColumn(LeftKey, Left.Source) && IsKeyColumn(RightKey, Right.Source) && Left.Source.KeyFormat == Right.Source.KeyFormat));

    /// <summary>1 when the expression reads only left columns, 2 only right ones, 0 otherwise (both, or none).</summary>
    public static int SideOf(BoundExpression expression, int leftWidth)
    {
        var columns = new SortedSet<int>();
        BoundExpressionRewriter.CollectColumns(expression, columns);
        return columns.Count == 0 ? 0 : columns.Max < leftWidth ? 1 : columns.Min >= leftWidth ? 2 : 0;
    }
}
