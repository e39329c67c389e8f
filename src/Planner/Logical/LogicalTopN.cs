using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Logical;

/// <summary>
/// Keeps the first Limit rows of each partition in sort order (Flink's Top-N: ROW_NUMBER() OVER (PARTITION BY ... ORDER BY
/// ...) filtered by rank); output rows are the input's columns then the rank (1-based, BIGINT). Ties keep arrival order.
/// RankOutput says whether the query selects the rank, which decides the result table's key.
/// </summary>
public sealed record LogicalTopN(LogicalPlan Input, IReadOnlyList<BoundExpression> PartitionKeys, IReadOnlyList<SortKey> SortKeys, long Limit, string RankName, bool RankOutput)
    : LogicalPlan(WithRank(Input.Schema, RankName))
{
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    /// <summary>Where the rank column sits in the output rows: after every input column.</summary>
    public int RankIndex => Input.Schema.Count;

    private static IReadOnlyList<ColumnSchema> WithRank(IReadOnlyList<ColumnSchema> input, string rankName) => [.. input, new ColumnSchema(rankName, SqlType.BigInt)];
}
