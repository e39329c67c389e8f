using StreamSql.Parser.Errors;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Engine;

/// <summary>
/// An aggregation over an aggregation (a subquery in FROM) over several partitions. One partition runs both in one
/// pipeline; over several, an outer group gathers rows of inner groups from every partition, so the inner aggregation runs
/// as a stage of its own (after a repartition of the source when its group keys do not determine the source's key) and
/// writes each group's changes, the previous row retracted before the new one, to an internal topic keyed by the outer
/// group key. The outer aggregation reads that topic with retractable aggregates, as it would a table's changes.
/// When every outer aggregate is a min or max, the inner stage also runs the outer aggregation over its own partition's
/// groups and writes only those partial results; the outer stage then takes the min or max of the partials. Nexmark q5
/// (the largest count per window) wrote two records per touched inner group per batch, now a few per window.
/// </summary>
public sealed partial class StreamEngine
{
    private static string InnerAggregationId(string queryId) => queryId + "_inner";

    private string InnerAggregationTopic(string queryId) => Options.InternalTopic(queryId + "-inner");

    /// <summary>True when the rows an aggregation reads come from another aggregation (through projections and filters).</summary>
    private static bool IsOverAggregation(LogicalAggregate aggregate) => PartitionPipeline.StatefulNodes(aggregate.Input) > 0;

    /// <summary>
    /// The stages of a nested aggregation over several partitions (a source repartition if needed, then the inner
    /// aggregation), and the outer plan reading the inner stage's topic.
    /// </summary>
    private (List<PersistentQuery> Stages, LogicalPlan Plan, Topics.ITopicLog Topic) NestedAggregationStages(string queryId, StreamDefinition source,
        Topics.ITopicLog sourceTopic, LogicalAggregate aggregate, LogicalPlan plan, bool overTable, bool emitFinal, bool consolidate, int position)
    {
        var window = aggregate.Window;
        var outerKeys = aggregate.Keys.Where((_, i) => window is null || (i != window.StartKey && i != window.EndKey)).ToList();
        return InnerAggregationStages(queryId, source, sourceTopic, BelowWindow(aggregate.Input), outerKeys, plan, overTable, emitFinal, consolidate,
            columnsAbove: window is not null,
            (outer, scratch) => PartitionPipeline.BuildStateful(outer, scratch, emitFinal, retractable: true, carryRowTime: true, null, null, consolidate: consolidate),
            position, MergesPartials(aggregate) ? aggregate : null);
    }

    /// <summary>
    /// Whether an outer aggregation's result is the same aggregation over its partial results per partition: grouped by
    /// something, not windowed, and every aggregate a min or max of one argument (the max of the partitions' maxima is the
    /// maximum). HAVING is not part of it (it stays above, on the merged groups).
    /// </summary>
    private static bool MergesPartials(LogicalAggregate outer) =>
        outer.Window is null && outer.Keys.Count > 0 && outer.Aggregates.Count > 0
        && outer.Aggregates.All(a => !a.Distinct && !a.Star && a.Arguments.Count == 1 && a.Name is "min" or "max");

    /// <summary>
    /// The outer aggregation over its partial results (rows of the partial aggregation's layout: its keys, then its
    /// aggregates): grouped by the same keys, each aggregate the same function of its partial column.
    /// </summary>
    private static LogicalAggregate MergeOfPartials(LogicalAggregate outer, LogicalScan partials)
    {
        var columns = partials.Source.Columns;
        var keys = outer.Keys.Count;
        var keyColumns = Enumerable.Range(0, keys).Select(i => (BoundExpression)new BoundColumn(i, columns[i].Name, columns[i].Type)).ToList();
        var merged = outer.Aggregates
            .Select((a, i) => a with { Arguments = [new BoundColumn(keys + i, columns[keys + i].Name, columns[keys + i].Type)] })
            .ToList();
        return new LogicalAggregate(partials, keyColumns, merged, outer.Columns);
    }

    /// <summary>
    /// The stages that run a subquery's aggregation on its own over several partitions, for a stateful operator above it
    /// (another aggregation, a Top-N) whose rows of one group or ranking must meet: a source repartition if the inner
    /// group keys need one, then the inner aggregation writing its changes keyed by outerKeys (over the subquery's
    /// rows). Returns them with plan reading the inner stage's topic in place of the subquery. columnsAbove: the plan
    /// above appends columns to the subquery's row. validateOuter builds that plan's operators once over a scratch store
    /// (throwing as a running query would), before anything is created. partialOuter: the outer aggregation (over the
    /// subquery), which the stage then runs too over its partition's groups; the stage writes its partial rows keyed by
    /// its keys, and the plan merges them (<see cref="MergeOfPartials"/>).
    /// </summary>
    private (List<PersistentQuery> Stages, LogicalPlan Plan, Topics.ITopicLog Topic) InnerAggregationStages(string queryId, StreamDefinition source,
        Topics.ITopicLog sourceTopic, LogicalPlan subquery, IReadOnlyList<BoundExpression> outerKeys, LogicalPlan plan, bool overTable, bool emitFinal,
        bool consolidate, bool columnsAbove, Action<LogicalPlan, IStateStore> validateOuter, int position, LogicalAggregate? partialOuter = null)
    {
        if (InnerAggregation(subquery) is not { } inner || PartitionPipeline.StatefulNodes(subquery) != 1)
        {
            throw SqlException.NotSupported("this query over an aggregation with more than one partition", position);
        }

        var innerKeys = inner.Keys.Where((_, i) => inner.Window is not { } w || (i != w.StartKey && i != w.EndKey)).ToList();
        var (below, routingKeys) = RepartitionPoint(BelowWindow(inner.Input), innerKeys)
            ?? throw SqlException.NotSupported("a query over an aggregation of this input with more than one partition", position);
        var stageId = InnerAggregationId(queryId);
        var topicName = InnerAggregationTopic(queryId);
        // What the stage writes: the subquery's rows, or the outer aggregation's partial ones.
        var written = (LogicalPlan?)partialOuter ?? subquery;
        // Named c0, c1, ...: a subquery's column may be named as a pseudocolumn of the internal stream.
        var columns = written.Schema.Select((c, i) => new ColumnSchema($"c{i}", c.Type)).ToList();
        var internalStream = new StreamDefinition(stageId, RelationKind.Stream, columns, topicName, source.Partitions, SourceFormat.None,
            SourceFormat.Internal, null, source.ValueDelimiter, queryId);
        // The plan above may append columns after the subquery's row (a window assignment's bounds, a Top-N's rank): the
        // scan's pseudocolumns must not come first.
        var scan = new LogicalScan(internalStream);
        LogicalPlan replacement = partialOuter is not null ? MergeOfPartials(partialOuter, scan)
            : !columnsAbove ? scan
            : new LogicalProject(scan, columns.Select((c, i) => (BoundExpression)new BoundColumn(i, c.Name, c.Type)).ToList(), columns);
        var outerPlan = ReplaceScan(plan, written, replacement);
        // Both stages' operators are built once here, so a plan they refuse (a session window below) leaves no topic or store behind.
        using (var scratch = new MemoryStateStore())
        {
            PartitionPipeline.BuildStateful(written, scratch, emitFinal, retractable: overTable, carryRowTime: true, null, null, consolidate: consolidate,
                sendsRetractions: true);
            validateOuter(outerPlan, scratch);
        }

        // The inner aggregation's rows of one group must meet in one partition, as for any aggregation.
        var stages = new List<PersistentQuery>();
        var innerPlan = written;
        var innerTopic = sourceTopic;
        PersistentQuery? repartition = null;
        if (!PartitionsBySourceKey(routingKeys, source))
        {
            (repartition, innerPlan, innerTopic) = Repartition(queryId, source, sourceTopic, below, routingKeys, innerPlan, overTable);
            stages.Add(repartition);
        }

        var topic = Topics.GetOrCreate(topicName, source.Partitions);
        var routing = partialOuter is null ? outerKeys
            : Enumerable.Range(0, partialOuter.Keys.Count).Select(i => (BoundExpression)new BoundColumn(i, columns[i].Name, columns[i].Type)).ToList();
        var encoder = new RoutedRecordEncoder(internalStream, routing.Select(k => Expressions.ExpressionCompiler.Compile(k)).ToArray());
        var state = new QueryState(StateStores, $"queries/{stageId}", Path.Combine(_queriesDirectory, stageId));
        var definition = new QueryDefinition(stageId, "", internalStream.Name, source.Name, innerPlan);
        // A table read directly: each partition remembers the table's rows to turn upserts into retractions.
        Func<int, IRecordDecoder>? decoders = overTable && repartition is null
            ? partition => new ChangelogRecordDecoder(new Formats.RowCodec(source), state.Open(partition, "rows")) { NetEffectPerBatch = WrittenByQuery(source) }
            : null;
        var stage = new PersistentQuery(definition, innerTopic, topic, OffsetsOf(stageId), _errorTopic, stateful: true,
            metrics => partition => PartitionPipeline.BuildStateful(innerPlan, state.Open(partition, "aggregate"), emitFinal, retractable: overTable, carryRowTime: true,
                metrics.RecordExpressionError, metrics.CountLate, consolidate: consolidate, sendsRetractions: true),
            encoder.Encode,
            decoders)
        {
            State = state,
            CheckpointInterval = Options.CheckpointInterval,
        };
        stages.Add(stage);
        return (stages, outerPlan, topic);
    }

    /// <summary>The aggregation a subquery's rows come from, through its projection and HAVING; null when it is not that shape.</summary>
    private static LogicalAggregate? InnerAggregation(LogicalPlan plan) => plan switch
    {
        LogicalAggregate aggregate => aggregate,
        LogicalProject or LogicalFilter => InnerAggregation(plan.Inputs[0]),
        _ => null,
    };
}
