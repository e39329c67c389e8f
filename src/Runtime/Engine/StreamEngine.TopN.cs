using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;

namespace StreamSql.Runtime.Engine;

/// <summary>
/// CREATE TABLE ... AS SELECT of a Top-N (ROW_NUMBER() OVER (...) filtered by rank): a persistent query whose per-partition
/// top rows live in state stores and whose output is an upsert changelog topic, materialized as a table, as aggregations are.
/// </summary>
public sealed partial class StreamEngine
{
    /// <summary>The Top-N of a plan in the shape a persistent Top-N runs: the outer SELECT list over [a filter over] it.</summary>
    private static LogicalTopN? TopNOf(LogicalPlan plan) => plan switch
    {
        LogicalProject { Input: LogicalTopN t } => t,
        LogicalProject { Input: LogicalFilter { Input: LogicalTopN t } } => t,
        _ when plan.Inputs.Any(i => TopNOf(i) is not null) || plan is LogicalTopN => throw SqlException.NotSupported("ROW_NUMBER() (a Top-N) under another step of the query"),
        _ => null,
    };

    private async Task<StatementResult> CreateTopNTableAsync(QualifiedName name, RelationKind kind, IReadOnlyList<Property> properties, Query asQuery,
        Statement statement, string? loggedQueryId, BoundQuery query, LogicalTopN topN, CancellationToken cancellationToken)
    {
        var tag = kind == RelationKind.Table ? "CREATE TABLE" : "CREATE MATERIALIZED VIEW";
        var project = (LogicalProject)query.Plan;
        var source = query.Source ?? throw new SqlException(SqlState.FeatureNotSupported, "a persistent Top-N must read a stream or a table", asQuery.Position);
        // Over a table the input retracts: the operator then keeps every row of a partition (a deleted top row lets the next one in).
        var overTable = source.Kind != RelationKind.Stream;

        if (ContainsJoin(topN.Input))
        {
            throw SqlException.NotSupported("ROW_NUMBER() (a Top-N) over a join", asQuery.Position);
        }

        if (asQuery.Emit == EmitMode.Final)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "EMIT FINAL needs a windowed aggregation", asQuery.Position);
        }

        var queryId = loggedQueryId ?? Catalog.NextQueryId("ctas", name.Name);
        Catalog.NoteQueryId(queryId);
        var sourceTopic = Topics.Find(source.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{source.Topic}\" of stream \"{source.Name}\" does not exist");
        var sink = StreamBinder.BindTopNSink(name.Name, kind, properties, project, topN, source, queryId, asQuery.Position);
        if (sink.Topic == source.Topic)
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"a query cannot write to the topic it reads (\"{sink.Topic}\")", statement.Position);
        }

        LogicalPlan plan = project;
        List<PersistentQuery> stages = [];
        // Over several partitions, a Top-N over an aggregation reads the aggregation's changes from a stage of its own.
        var overStage = false;
        if (source.Partitions > 1 && PartitionPipeline.StatefulNodes(topN.Input) > 0)
        {
            (stages, plan, sourceTopic) = InnerAggregationStages(queryId, source, sourceTopic, topN.Input, topN.PartitionKeys, plan, overTable, emitFinal: false,
                consolidate: false, columnsAbove: true,
                (outer, scratch) => PartitionPipeline.BuildStateful(outer, scratch, emitFinal: false, retractable: true, carryRowTime: true, null, null),
                asQuery.Position);
            overStage = true;
        }
        else if (source.Partitions > 1)
        {
            var (below, routingKeys) = RepartitionPoint(topN.Input, topN.PartitionKeys)
                ?? throw SqlException.NotSupported("ROW_NUMBER() (a Top-N) over this input with more than one partition", asQuery.Position);
            if (!PartitionsBySourceKey(routingKeys, source))
            {
                // Rows of one partition of the ranking arrive in several topic partitions: route them by the PARTITION BY keys.
                (var repartition, plan, sourceTopic) = Repartition(queryId, source, sourceTopic, below, routingKeys, plan, overTable);
                stages.Add(repartition);
            }
        }

        if (Topics.Find(sink.Topic) is { } existing)
        {
            sink = sink with { Partitions = existing.PartitionCount };
        }

        var sinkTopic = Topics.GetOrCreate(sink.Topic, sink.Partitions);
        var definition = new QueryDefinition(queryId, statement.Text, sink.Name, source.Name, plan);
        var state = new QueryState(StateStores, $"queries/{queryId}", Path.Combine(_queriesDirectory, queryId));
        var encoder = new TableRecordEncoder(sink);
        var running = new PersistentQuery(definition, sourceTopic, sinkTopic, OffsetsOf(queryId), _errorTopic, stateful: true,
            metrics => partition => PartitionPipeline.BuildStateful(plan, state.Open(partition, "topn"), emitFinal: false, retractable: overTable || overStage, carryRowTime: true,
                metrics.RecordExpressionError, metrics.CountLate),
            encoder.Encode,
            // Over a table read directly, each partition remembers the table's rows to turn upserts into retractions.
            overTable && stages.Count == 0 ? partition => new ChangelogRecordDecoder(new Formats.RowCodec(source), state.Open(partition, "rows")) : null)
        {
            State = state,
            CheckpointInterval = Options.CheckpointInterval,
        };
        await StartTableQueryAsync(statement, sink, sinkTopic, definition, running, stages, cancellationToken).ConfigureAwait(false);
        return new CommandResult(tag);
    }

    /// <summary>
    /// Where a repartition cuts a keyed operator's input: the (filtered) scan, whose rows have the source's layout, below
    /// any projection of a subquery in FROM; the keys are rewritten through those projections to route its rows. Null when
    /// the input is not such a chain.
    /// </summary>
    private static (LogicalPlan Below, IReadOnlyList<Planner.Bound.BoundExpression> Keys)? RepartitionPoint(LogicalPlan input, IReadOnlyList<Planner.Bound.BoundExpression> keys)
    {
        var node = input;
        while (true)
        {
            if (node is LogicalProject project)
            {
                keys = keys.Select(k => Planner.Bound.BoundExpressionRewriter.Substitute(k, project.Expressions)).ToList();
                node = project.Input;
            }
            else if (node is LogicalFilter { Input: not LogicalScan } filter)
            {
                node = filter.Input;
            }
            else
            {
                break;
            }
        }

        return node is LogicalScan or LogicalFilter { Input: LogicalScan } ? (node, keys) : null;
    }

    /// <summary>True when a key (over the source's rows) determines its key column, so each group or ranking partition is in one topic partition.</summary>
    private static bool PartitionsBySourceKey(IReadOnlyList<Planner.Bound.BoundExpression> keys, StreamDefinition source) =>
        SourceKeyRouting.KeepsSourcePartitioning(keys, source.KeyIndex);
}
