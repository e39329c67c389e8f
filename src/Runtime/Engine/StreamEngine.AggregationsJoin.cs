using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Queries;

namespace StreamSql.Runtime.Engine;

/// <summary>
/// CREATE TABLE ... AS SELECT ... FROM (SELECT ... GROUP BY ...) a JOIN (SELECT ... GROUP BY ...) b ON (each group key of a
/// equals the same-position group key of b): Nexmark q8's shape in one statement. One side may also be a table, joined
/// on its primary key. Each subquery runs as a stage of its own,
/// a persistent aggregation writing an internal table (the engine's row format, each batch's net change per group); the
/// statement's query is then the table–table join of those two tables on their keys. Written as three statements (two
/// tables and their join) the intermediate tables would be user tables: JSON changelogs that the join parses again, and
/// materializations of their own.
/// </summary>
public sealed partial class StreamEngine
{
    /// <summary>The join under a statement's SELECT list and WHERE, or null.</summary>
    private static LogicalJoin? JoinBelow(LogicalPlan plan) => plan switch
    {
        LogicalJoin join => join,
        LogicalProject or LogicalFilter => JoinBelow(plan.Inputs[0]),
        _ => null,
    };

    /// <summary>The stage id of one side's aggregation in a join of aggregations (its own stages take ids after it).</summary>
    private static string SideAggregationId(string queryId, bool left) => queryId + (left ? "_left_table" : "_right_table");

    /// <summary>Whether a stage of a query is one of its join-of-aggregations sides' own stages (a repartition by the group key).</summary>
    private static bool IsSideStage(string queryId, string stageId) =>
        OwnStageIds(SideAggregationId(queryId, left: true)).Contains(stageId) || OwnStageIds(SideAggregationId(queryId, left: false)).Contains(stageId);

    private async Task<StatementResult> CreateAggregationsJoinAsync(QualifiedName name, RelationKind kind, IReadOnlyList<Property> properties, Query asQuery,
        Statement statement, string? loggedQueryId, LogicalPlan plan, LogicalJoin join, CancellationToken cancellationToken)
    {
        if (join.Kind is not (JoinKind.Inner or JoinKind.Left or JoinKind.Full) || join.Condition is null
            || !(InnerAggregation(join.Left) is not null || IsTableScan(join.Left)) || !(InnerAggregation(join.Right) is not null || IsTableScan(join.Right))
            || (IsTableScan(join.Left) && IsTableScan(join.Right)))
        {
            throw SqlException.NotSupported(
                "this JOIN in a persistent query (a table or materialized view joins tables on their primary keys, or GROUP BY subqueries with each other or with a table on their keys)",
                asQuery.Position);
        }

        var queryId = loggedQueryId ?? Catalog.NextQueryId("ctas", name.Name);
        Catalog.NoteQueryId(queryId);
        var stages = new List<PersistentQuery>();
        try
        {
            return await StartAggregationsJoinAsync(name, kind, properties, asQuery, statement, queryId, plan, join, stages, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!_replaying && Catalog.FindQuery(queryId) is null)
        {
            // A statement refused after its stages were made (the join or its result key checked) leaves no stage, store or topic.
            await DiscardStagesAsync(queryId, stages).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Makes the sides' stages (into stages, as they are made) and then the join query over their tables.</summary>
    private async Task<StatementResult> StartAggregationsJoinAsync(QualifiedName name, RelationKind kind, IReadOnlyList<Property> properties, Query asQuery,
        Statement statement, string queryId, LogicalPlan plan, LogicalJoin join, List<PersistentQuery> stages, CancellationToken cancellationToken)
    {
        var leftSource = ScanSource(join.Left);
        var rightSource = ScanSource(join.Right);
        if (leftSource is null || rightSource is null)
        {
            throw SqlException.NotSupported("a JOIN of GROUP BY subqueries that do not each read one stream or table", asQuery.Position);
        }

        // Both tables have as many partitions, so the join matches them partition by partition: a subquery's table gets the
        // other side's table's count, or the larger count of the two streams'.
        var table = IsTableScan(join.Left) ? leftSource : IsTableScan(join.Right) ? rightSource : null;
        var partitions = table is not null ? Topics.Find(table.Topic)?.PartitionCount ?? table.Partitions : Math.Max(leftSource.Partitions, rightSource.Partitions);
        // The tables the sides' stages will write, known before any stage or topic is made: a statement refused for its
        // ON clause or its SELECT list makes none.
        var left = IsTableScan(join.Left) ? leftSource : SideTable(SideAggregationId(queryId, left: true), join.Left, leftSource, partitions, asQuery.Position);
        var right = IsTableScan(join.Right) ? rightSource : SideTable(SideAggregationId(queryId, left: false), join.Right, rightSource, partitions, asQuery.Position);

        // The join's rows were the subqueries' columns side by side; over the two tables each side's row also carries its
        // pseudocolumns, so columns of the right side move past them.
        var leftScan = new LogicalScan(left);
        var rightScan = new LogicalScan(right);
        var leftWidth = join.Left.Schema.Count;
        var shift = leftScan.Schema.Count - leftWidth;
        BoundExpression Moved(BoundExpression e) =>
            BoundExpressionRewriter.Rewrite(e, x => x is BoundColumn c && c.Index >= leftWidth ? c with { Index = c.Index + shift } : null);
        // The caller checked that the join has an ON condition.
        var overTables = new LogicalJoin(leftScan, rightScan, join.Kind, Moved(join.Condition!), [.. leftScan.Schema, .. rightScan.Schema]);
        var tableJoin = LogicalTableJoin.TryCreate(overTables)
            ?? throw SqlException.NotSupported(
                "a JOIN with a GROUP BY subquery whose ON clause is not only an equality of each key column of one side (a subquery's group keys, a table's primary key) with the same-position key column of the other",
                asQuery.Position);
        var joinPlan = AboveJoin(plan, tableJoin, Moved);
        if (joinPlan is LogicalProject project)
        {
            StreamBinder.BindTableJoinSink(name.Name, kind, properties, project, KeyPairs(tableJoin), leftSource, queryId, asQuery.Position);
        }

        if (!IsTableScan(join.Left))
        {
            SideAggregation(queryId, left: true, join.Left, leftSource, partitions, asQuery, statement, stages);
        }

        if (!IsTableScan(join.Right))
        {
            SideAggregation(queryId, left: false, join.Right, rightSource, partitions, asQuery, statement, stages);
        }

        return await CreateTableJoinAsync(name, kind, properties, asQuery, statement, queryId, joinPlan, tableJoin, cancellationToken,
            stages, plan, leftSource with { Partitions = partitions }).ConfigureAwait(false);
    }

    /// <summary>
    /// One side of a join of aggregations: its aggregation as a stage (after that aggregation's own stages) writing an
    /// internal table of the given partition count, keyed by its group keys.
    /// </summary>
    private void SideAggregation(string queryId, bool left, LogicalPlan subquery, StreamDefinition source, int partitions, Query asQuery,
        Statement statement, List<PersistentQuery> stages)
    {
        var stageId = SideAggregationId(queryId, left);
        var (query, own, _, _, _) = PersistentAggregationQuery(stageId, "", stageId, RelationKind.Table, [], subquery, source, asQuery, statement.Position,
            internalPartitions: partitions, onOutputAppended: null);
        stages.AddRange(own);
        stages.Add(query);
    }

    /// <summary>The internal table a side's aggregation writes (as <see cref="PersistentAggregationQuery"/> binds it), without making anything.</summary>
    private StreamDefinition SideTable(string stageId, LogicalPlan subquery, StreamDefinition source, int partitions, int position)
    {
        var (project, aggregate) = PersistentAggregation(subquery, position);
        project = WithWindowBounds(project, aggregate);
        return AsInternalTable(StreamBinder.BindTableSink(stageId, RelationKind.Table, [], project, aggregate, source, stageId, position), stageId, partitions);
    }

    private static bool IsTableScan(LogicalPlan plan) => plan is LogicalScan { Source.Kind: not RelationKind.Stream };

    /// <summary>The one stream or table a plan reads, or null when it reads none or several.</summary>
    private static StreamDefinition? ScanSource(LogicalPlan plan)
    {
        StreamDefinition? found = null;
        var count = 0;
        void Visit(LogicalPlan node)
        {
            if (node is LogicalScan scan)
            {
                found = scan.Source;
                count++;
            }

            foreach (var input in node.Inputs)
            {
                Visit(input);
            }
        }

        Visit(plan);
        return count == 1 ? found : null;
    }

    /// <summary>The SELECT list and WHERE above a join, over the table–table join instead (their columns moved with it).</summary>
    private static LogicalPlan AboveJoin(LogicalPlan plan, LogicalTableJoin tableJoin, Func<BoundExpression, BoundExpression> moved) => plan switch
    {
        LogicalJoin => tableJoin,
        LogicalProject p => p with { Input = AboveJoin(p.Input, tableJoin, moved), Expressions = p.Expressions.Select(moved).ToList() },
        LogicalFilter f => f with { Input = AboveJoin(f.Input, tableJoin, moved), Predicate = moved(f.Predicate) },
        _ => throw new InvalidOperationException($"unexpected {plan.GetType().Name} above a join of aggregations"),
    };
}
