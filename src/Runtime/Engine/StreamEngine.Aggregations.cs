using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Engine;

/// <summary>
/// CREATE TABLE ... AS SELECT and CREATE MATERIALIZED VIEW: a persistent aggregation whose groups live in state stores and
/// whose output is an upsert changelog topic, itself materialized as a table for pull queries.
/// </summary>
public sealed partial class StreamEngine
{
    private async Task<StatementResult> CreateTableAsSelectAsync(QualifiedName name, RelationKind kind, bool ifNotExists, IReadOnlyList<Property> properties,
        Query asQuery, Statement statement, string? loggedQueryId, CancellationToken cancellationToken)
    {
        var tag = kind == RelationKind.Table ? "CREATE TABLE" : "CREATE MATERIALIZED VIEW";
        if (Catalog.FindStream(name.Name) is not null)
        {
            return ifNotExists ? new CommandResult(tag) : throw new SqlException(SqlState.DuplicateTable, $"relation \"{name.Name}\" already exists", name.Position);
        }

        var query = BindAndOptimize(asQuery);
        if (TopNOf(query.Plan) is { } topN)
        {
            return await CreateTopNTableAsync(name, kind, properties, asQuery, statement, loggedQueryId, query, topN, cancellationToken).ConfigureAwait(false);
        }

        if (PartitionPipeline.Build(query.Plan).Leaf is LogicalTableJoin tableJoin)
        {
            return await CreateTableJoinAsync(name, kind, properties, asQuery, statement, loggedQueryId, query.Plan, tableJoin, cancellationToken).ConfigureAwait(false);
        }

        if (JoinBelow(query.Plan) is { } join)
        {
            return await CreateAggregationsJoinAsync(name, kind, properties, asQuery, statement, loggedQueryId, query.Plan, join, cancellationToken).ConfigureAwait(false);
        }

        var queryId = loggedQueryId ?? Catalog.NextQueryId("ctas", name.Name);
        Catalog.NoteQueryId(queryId);
        // The table's materialization stores the records this query encoded without decoding them again.
        Tables.TableState? materialized = null;
        var (running, stages, sink, sinkTopic, definition) = PersistentAggregationQuery(queryId, statement.Text, name.Name, kind, properties, query.Plan, query.Source,
            asQuery, statement.Position, internalPartitions: null, (partition, first, count) => materialized?.NoteOwnRecords(partition, first, count));
        materialized = await StartTableQueryAsync(statement, sink, sinkTopic, definition, running, stages,
            cancellationToken).ConfigureAwait(false);
        return new CommandResult(tag);
    }

    /// <summary>
    /// The persistent query of an aggregation writing a table (fullPlan: its SELECT list over the aggregate), with the stages
    /// it reads from (earlier first), the table and its topic. internalPartitions: the table is an internal one of that many
    /// partitions that only the engine reads (a side of a join of aggregations), in the engine's row format; null for a
    /// user table. Nothing is logged or started.
    /// </summary>
    private (PersistentQuery Query, List<PersistentQuery> Stages, StreamDefinition Sink, Topics.ITopicLog SinkTopic, QueryDefinition Definition) PersistentAggregationQuery(
        string queryId, string sql, string name, RelationKind kind, IReadOnlyList<Property> properties, LogicalPlan fullPlan, StreamDefinition? source, Query asQuery,
        int statementPosition, int? internalPartitions, Action<int, long, int>? onOutputAppended)
    {
        var (project, aggregate) = PersistentAggregation(fullPlan, asQuery.Position);
        if (source is null)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "a persistent aggregation must read a stream or a table", asQuery.Position);
        }

        var overTable = source.Kind != RelationKind.Stream;
        var overJoin = ContainsJoin(aggregate.Input);
        if (overJoin && (overTable || !(IsOverLookupJoin(aggregate.Input) || FindStreamJoin(aggregate.Input) is not null)))
        {
            throw JoinInAggregationNotSupported(asQuery.Position);
        }

        if (overTable && aggregate.Window is not null)
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"a windowed aggregation needs a stream, and \"{source.Name}\" is a table", asQuery.Position);
        }
        project = WithWindowBounds(project, aggregate);
        var plan = (LogicalPlan)project;
        var sourceTopic = Topics.Find(source.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{source.Topic}\" of stream \"{source.Name}\" does not exist");
        var sink = StreamBinder.BindTableSink(name, kind, properties, project, aggregate, source, queryId, asQuery.Position);
        // An internal table (one side of a join of aggregations) is read by the engine only: its records are in the
        // engine's row format, and each batch writes only its net change per group, which no reader can tell apart.
        var consolidate = internalPartitions is not null ? aggregate.Window is not { IsSliding: true } : StreamBinder.BindConsolidate(properties);
        if (internalPartitions is { } partitions)
        {
            sink = AsInternalTable(sink, queryId, partitions);
        }

        var emitFinal = asQuery.Emit == EmitMode.Final;
        List<PersistentQuery> stages = [];
        // Over several partitions, an aggregation over an aggregation reads the inner one's changes from a stage of its own.
        var overStage = false;
        if (overJoin)
        {
            // Stage 1 records the joined rows (keyed by the group) in an internal topic; the aggregation reads that.
            (var joinStage, stages, plan, sourceTopic) = JoinStage(queryId, source, sourceTopic, aggregate, plan);
            stages.Add(joinStage);
        }
        else if (source.Partitions > 1 && IsOverAggregation(aggregate))
        {
            (stages, plan, sourceTopic) = NestedAggregationStages(queryId, source, sourceTopic, aggregate, plan, overTable, emitFinal, consolidate, asQuery.Position);
            overStage = true;
        }
        else if (source.Partitions > 1)
        {
            // The group keys over the source's rows (through a subquery's projections), to route each row by its group.
            var groupKeys = aggregate.Keys.Where((_, i) => aggregate.Window is not { } w || (i != w.StartKey && i != w.EndKey)).ToList();
            var (below, routingKeys) = RepartitionPoint(BelowWindow(aggregate.Input), groupKeys)
                ?? throw SqlException.NotSupported("a persistent aggregation over this input with more than one partition", asQuery.Position);
            if (!PartitionsBySourceKey(routingKeys, source))
            {
                // Rows of one group arrive in several partitions: send them through an internal topic keyed by the group.
                (var repartition, plan, sourceTopic) = Repartition(queryId, source, sourceTopic, below, routingKeys, plan, overTable);
                stages.Add(repartition);
            }
        }

        if (consolidate && aggregate.Window is { IsSliding: true })
        {
            throw SqlException.NotSupported("consolidate='batch' with sliding windows", properties.First(p => p.Name == StreamBinder.Consolidate).Position);
        }

        if (aggregate.Window is { RetentionMicros: { } retention } window)
        {
            var endColumn = project.Expressions.ToList().FindIndex(e => e is Planner.Bound.BoundColumn c && c.Index == window.EndKey);
            sink = sink with { WindowRetention = (endColumn, retention) };
        }

        if (sink.Topic == source.Topic)
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"a query cannot write to the topic it reads (\"{sink.Topic}\")", statementPosition);
        }

        if (Topics.Find(sink.Topic) is { } existing)
        {
            sink = sink with { Partitions = existing.PartitionCount };
        }

        var sinkTopic = Topics.GetOrCreate(sink.Topic, sink.Partitions);
        // Over a join the catalog keeps the plan with the join, so the table it reads cannot be dropped under it.
        var definition = new QueryDefinition(queryId, sql, sink.Name, source.Name, overJoin ? fullPlan : plan);
        var state = new QueryState(StateStores, $"queries/{queryId}", Path.Combine(_queriesDirectory, queryId));
        var encoder = new TableRecordEncoder(sink);
        // Over a table read directly, each partition remembers the table's rows to turn upserts into retractions.
        Func<int, IRecordDecoder>? decoders = overTable && stages.Count == 0
            ? partition => new ChangelogRecordDecoder(new Formats.RowCodec(source), state.Open(partition, "rows")) { NetEffectPerBatch = WrittenByQuery(source) }
            : null;
        var running = new PersistentQuery(definition, sourceTopic, sinkTopic, OffsetsOf(queryId), _errorTopic, stateful: true,
            metrics => partition =>
            {
                return PartitionPipeline.BuildStateful(plan, state.Open(partition, "aggregate"), emitFinal, retractable: overTable || overStage, carryRowTime: true, metrics.RecordExpressionError, metrics.CountLate,
                    consolidate: consolidate);
            },
            encoder.Encode,
            decoders)
        {
            State = state,
            CheckpointInterval = Options.CheckpointInterval,
            OnOutputAppended = onOutputAppended,
        };
        return (running, stages, sink, sinkTopic, definition);
    }

    /// <summary>
    /// A table sink as an internal table: its own internal topic, the engine's row format, and the given partition count
    /// (its records go to partitions by key, so both sides of a join of aggregations can have as many even when their
    /// streams do not).
    /// </summary>
    private StreamDefinition AsInternalTable(StreamDefinition sink, string queryId, int partitions) =>
        sink with { Topic = Options.InternalTopic(queryId + "-table"), ValueFormat = SourceFormat.Internal, Partitions = partitions };

    private static string RepartitionId(string queryId) => queryId + "_repartition";

    /// <summary>
    /// Puts a persistent query writing a table in place: logs the statement, adds the table and query to the catalog,
    /// materializes the table (returned), and starts the query after its stages (earlier stages first), each tracked by
    /// its id. At replay the queries start once the whole log has been applied.
    /// </summary>
    private async Task<Tables.TableState> StartTableQueryAsync(Statement statement, StreamDefinition sink, Topics.ITopicLog sinkTopic, QueryDefinition definition,
        PersistentQuery running, IReadOnlyList<PersistentQuery> stages, CancellationToken cancellationToken)
    {
        if (!_replaying)
        {
            foreach (var stage in stages)
            {
                stage.InitializeOffsets(fromLatest: false);
            }

            running.InitializeOffsets(fromLatest: false);
        }

        await LogAsync(statement, definition.Id, cancellationToken).ConfigureAwait(false);
        Catalog.AddStream(sink);
        Catalog.AddQuery(definition);
        var table = StartTable(sink, sinkTopic, derived: true);
        lock (_running)
        {
            Track(definition.Id, running);
            foreach (var stage in stages)
            {
                Track(stage.Definition.Id, stage);
            }
        }

        if (!_replaying)
        {
            foreach (var stage in stages)
            {
                stage.Start();
            }

            running.Start();
        }

        return table;
    }

    /// A table whose changelog a persistent query writes: its records are the engine's own encoding, so an aggregation
    /// reading it may take each batch's net effect per key (records replaced within a batch are skipped unread).
    /// </summary>
    private static bool WrittenByQuery(StreamDefinition table) => table.SourceQueryId is not null;

    /// <summary>
    /// The first stage of a repartitioned keyed operator (aggregation, Top-N): it filters the source's rows and writes them
    /// to an internal topic (as many partitions as the source) keyed by the routing keys, so all rows of a group meet in one
    /// partition; the operator then reads that topic instead of the source, with the same row layout. below is the
    /// (filtered) scan it reads, routingKeys the expressions over it that route a row.
    /// </summary>
    private (PersistentQuery Stage, LogicalPlan Plan, Topics.ITopicLog Topic) Repartition(string queryId, StreamDefinition source, Topics.ITopicLog sourceTopic,
        LogicalPlan below, IReadOnlyList<BoundExpression> routingKeys, LogicalPlan plan, bool overTable)
    {
        var topicName = Options.InternalTopic(queryId + "-repartition");
        // Built with the constructor, not `with`: the derived properties (key and timestamp index, row schema) must follow the columns.
        var internalStream = new StreamDefinition(RepartitionId(queryId), RelationKind.Stream, source.Columns.Select(c => c with { IsKey = false }).ToList(),
            topicName, source.Partitions, SourceFormat.None, SourceFormat.Internal, null, source.ValueDelimiter, queryId);
        var topic = Topics.GetOrCreate(topicName, source.Partitions);
        var columns = source.Columns.Select((c, i) => (BoundExpression)new BoundColumn(i, c.Name, c.Type)).ToList();
        var stagePlan = new LogicalProject(below, columns, internalStream.Columns);
        // A table's changes keep their meaning through the topic: retractions carry an op header.
        var encoder = new RoutedRecordEncoder(internalStream, routingKeys.Select(k => Expressions.ExpressionCompiler.Compile(k)).ToArray());
        var definition = new QueryDefinition(RepartitionId(queryId), "", internalStream.Name, source.Name, stagePlan);
        var rowState = overTable ? new QueryState(StateStores, $"queries/{RepartitionId(queryId)}", Path.Combine(_queriesDirectory, RepartitionId(queryId))) : null;
        var stage = new PersistentQuery(definition, sourceTopic, topic, OffsetsOf(RepartitionId(queryId)), _errorTopic, stateful: overTable,
            metrics => _ => PartitionPipeline.Build(stagePlan, carryRowTime: true, metrics.RecordExpressionError),
            encoder.Encode,
            overTable ? partition => new ChangelogRecordDecoder(new Formats.RowCodec(source), rowState!.Open(partition, "rows")) { NetEffectPerBatch = WrittenByQuery(source) } : null)
        {
            State = rowState,
            CheckpointInterval = Options.CheckpointInterval,
        };
        return (stage, ReplaceScan(plan, below, new LogicalScan(internalStream)), topic);
    }

    /// <summary>The rows an aggregate reads before window assignment: the (filtered) scan.</summary>
    // The window assignment (under any conditions on its bounds) runs after a repartition: the rows below it are routed.
    private static LogicalPlan BelowWindow(LogicalPlan input) => input switch
    {
        LogicalWindowAssign w => w.Input,
        LogicalFilter f when BelowWindow(f.Input) is var below && !ReferenceEquals(below, f.Input) => below,
        _ => input,
    };

    private static LogicalPlan ReplaceScan(LogicalPlan plan, LogicalPlan target, LogicalPlan replacement) =>
        ReferenceEquals(plan, target) ? replacement : plan switch
        {
            LogicalProject p => p with { Input = ReplaceScan(p.Input, target, replacement) },
            LogicalFilter f => f with { Input = ReplaceScan(f.Input, target, replacement) },
            LogicalAggregate a => a with { Input = ReplaceScan(a.Input, target, replacement) },
            LogicalWindowAssign w => w with { Input = ReplaceScan(w.Input, target, replacement) },
            LogicalTopN t => t with { Input = ReplaceScan(t.Input, target, replacement) },
            _ => plan,
        };

    /// <summary>The shape a persistent aggregation must have: the SELECT list over [HAVING over] the aggregate, nothing above.</summary>
    private static (LogicalProject Project, LogicalAggregate Aggregate) PersistentAggregation(LogicalPlan plan, int position)
    {
        switch (plan)
        {
            case LogicalProject { Input: LogicalAggregate a } p:
                return (p, a);
            case LogicalProject { Input: LogicalFilter { Input: LogicalAggregate a } } p:
                return (p, a);
            case LogicalProject:
                throw SqlException.NotSupported("a table or materialized view without GROUP BY (it would be a stream: use CREATE STREAM AS SELECT)", position);
            default:
                var step = plan switch
                {
                    LogicalSort => "ORDER BY",
                    LogicalLimit => "LIMIT",
                    LogicalOffset => "OFFSET",
                    LogicalDistinct => "DISTINCT",
                    LogicalSetOperation set => set.Operator.ToString().ToUpperInvariant(),
                    LogicalJoin => "JOIN",
                    _ => plan.GetType().Name.Replace("Logical", "", StringComparison.Ordinal).ToUpperInvariant(),
                };
                throw SqlException.NotSupported($"{step} in a persistent aggregation", position);
        }
    }

    private static bool ContainsJoin(LogicalPlan plan) => plan is LogicalJoin or LogicalLookupJoin or LogicalStreamJoin or LogicalTableJoin || plan.Inputs.Any(ContainsJoin);

    /// <summary>A windowed table is keyed by its window too: window_start and window_end are added to the output when not selected.</summary>
    private static LogicalProject WithWindowBounds(LogicalProject project, LogicalAggregate aggregate)
    {
        if (aggregate.Window is not { } window)
        {
            return project;
        }

        var expressions = project.Expressions.ToList();
        var columns = project.Columns.ToList();
        foreach (var (key, name) in new[] { (window.StartKey, WindowColumns.Start), (window.EndKey, WindowColumns.End) })
        {
            if (!expressions.Any(e => e is BoundColumn c && c.Index == key))
            {
                var column = aggregate.Columns[key];
                expressions.Add(new BoundColumn(key, column.Name, column.Type));
                columns.Add(new ColumnSchema(columns.Any(c => c.Name == name) ? name + "_" + key : name, column.Type));
            }
        }

        return project with { Expressions = expressions, Columns = columns };
    }
}
