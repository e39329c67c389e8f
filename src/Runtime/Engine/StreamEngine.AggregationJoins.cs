using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Engine;

/// <summary>
/// A persistent aggregation over a stream–table or stream–stream join runs in two stages. Stage 1 is a persistent join (a
/// stream–table one in event-time order; a stream not co-partitioned with the table is re-keyed by the join expression first, by one more
/// stage) that writes the joined rows to an internal topic keyed by the group key; stage 2 aggregates that topic. The join's result is thus recorded once: when stage 2
/// rebuilds its state at start it replays the recorded rows, not the lookups (which would see today's table rows).
/// </summary>
public sealed partial class StreamEngine
{
    /// <summary>True when the rows an aggregate reads come from a stream–table join (under filters, projections, window assignment).</summary>
    private static bool IsOverLookupJoin(LogicalPlan plan) => plan switch
    {
        LogicalLookupJoin => true,
        LogicalFilter or LogicalProject or LogicalWindowAssign => IsOverLookupJoin(plan.Inputs[0]),
        _ => false,
    };

    /// <summary>The stream–stream join an aggregate reads (under filters and projections), or null.</summary>
    private static LogicalStreamJoin? FindStreamJoin(LogicalPlan plan) => plan switch
    {
        LogicalStreamJoin join => join,
        LogicalFilter or LogicalProject or LogicalWindowAssign => FindStreamJoin(plan.Inputs[0]),
        _ => null,
    };

    private (PersistentQuery Stage, List<PersistentQuery> Rekeys, LogicalPlan Plan, Topics.ITopicLog Topic) JoinStage(string queryId, StreamDefinition source, Topics.ITopicLog sourceTopic,
        LogicalAggregate aggregate, LogicalPlan plan)
    {
        var topicName = Options.InternalTopic(queryId + "-join");
        var below = BelowWindow(aggregate.Input);

        // The internal stream's columns are the joined row's columns in their order (named c0, c1, ...: both sides'
        // pseudocolumns become ordinary columns), so the expressions above the join read it unchanged.
        var columns = below.Schema.Select((c, i) => new ColumnSchema($"c{i}", c.Type)).ToList();
        var internalStream = new StreamDefinition(RepartitionId(queryId), RelationKind.Stream, columns, topicName, source.Partitions, SourceFormat.None,
            SourceFormat.Internal, null, source.ValueDelimiter, queryId);
        var topic = Topics.GetOrCreate(topicName, source.Partitions);
        var stagePlan = new LogicalProject(below, below.Schema.Select((c, i) => (BoundExpression)new BoundColumn(i, c.Name, c.Type)).ToList(), columns);
        var window = aggregate.Window;
        var keys = aggregate.Keys.Where((_, i) => window is null || (i != window.StartKey && i != window.EndKey))
            .Select(k => Expressions.ExpressionCompiler.Compile(k)).ToArray();
        // A join sends only new rows, so no record carries the retraction header.
        var encode = new RoutedRecordEncoder(internalStream, keys).Encode;
        var definition = new QueryDefinition(RepartitionId(queryId), "", internalStream.Name, source.Name, stagePlan);

        // The join runs in event-time order, as a persistent stream–table join does; a stream side not co-partitioned with
        // the table is first re-keyed by the join expression (one more stage, before the join stage).
        var stages = new List<PersistentQuery>();
        var joinStage = FindLookupJoin(below) is { } join
            ? StreamTableJoinQuery(definition, encode, join, sourceTopic, topic, OffsetsOf(RepartitionId(queryId)), stages)
            : StreamJoinQuery(definition, encode, FindStreamJoin(below) ?? throw new InvalidOperationException("an aggregation's join stage has no streaming join"),
                sourceTopic, topic, OffsetsOf(RepartitionId(queryId)), stages);
        // A window assignment above appends its bounds after the joined row: the scan's pseudocolumns must not come first.
        var scan = new LogicalScan(internalStream);
        LogicalPlan replacement = window is null ? scan
            : new LogicalProject(scan, columns.Select((c, i) => (BoundExpression)new BoundColumn(i, c.Name, c.Type)).ToList(), columns);
        return (joinStage, stages, ReplaceScan(plan, below, replacement), topic);
    }

    /// <summary>The ids of the stages re-keying an aggregation's joined streams before its join stage (that stage's own repartitions).</summary>
    private static string[] JoinRekeyIds(string queryId) => StageIds(RepartitionId(queryId));

    private static SqlException JoinInAggregationNotSupported(int position) =>
        SqlException.NotSupported("JOIN in a persistent aggregation other than a stream-table join (stream JOIN table ON ... = table.primary key) or a stream-stream join WITHIN", position);
}
