using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>CREATE STREAM [AS SELECT], DROP STREAM and TERMINATE.</summary>
public sealed partial class StreamEngine
{
    private async Task<StatementResult> CreateStreamAsync(CreateRelationStatement create, CancellationToken cancellationToken)
    {
        var stream = StreamBinder.BindSource(create);
        var nexmark = StreamBinder.BindNexmark(create);
        if (nexmark is not null)
        {
            ValidateNexmark(stream, nexmark, create);
        }

        var tag = stream.Kind == RelationKind.Table ? "CREATE TABLE" : "CREATE STREAM";
        if (CheckExists(create))
        {
            return new CommandResult(tag);
        }

        if (nexmark is { Stored: false })
        {
            if (StoredTopics.Find(stream.Topic) is not null)
            {
                throw new SqlException(SqlState.DuplicateObject,
                    $"topic \"{stream.Topic}\" exists; a stream with nexmark_storage='none' generates its records and needs a topic name of its own", create.Position,
                    hint: "Name another topic with kafka_topic='...'.");
            }

            // Built before the statement is logged: with a KEY over several partitions it finds each event's partition.
            var generated = new Nexmark.NexmarkGeneratedTopic(stream.Topic, stream, nexmark);
            await LogAsync(create, null, cancellationToken).ConfigureAwait(false);
            Topics.Register(generated);
            Catalog.AddStream(stream);
            return new CommandResult(tag);
        }

        // An existing topic keeps its partition count; asking for a different one is an error, as in ksqlDB.
        var existing = Topics.Find(stream.Topic);
        if (existing is not null && existing.PartitionCount != stream.Partitions)
        {
            var explicitPartitions = create.Properties.FirstOrDefault(p => p.Name == "partitions");
            if (explicitPartitions is not null && !_replaying)
            {
                throw new SqlException(SqlState.InvalidParameterValue,
                    $"topic \"{stream.Topic}\" exists with {existing.PartitionCount} partitions, not {stream.Partitions}", explicitPartitions.Position);
            }

            stream = stream with { Partitions = existing.PartitionCount };
        }

        var topic = Topics.GetOrCreate(stream.Topic, stream.Partitions);
        await LogAsync(create, null, cancellationToken).ConfigureAwait(false);
        Catalog.AddStream(stream);
        if (stream.Kind == RelationKind.Table)
        {
            StartTable(stream, topic);
        }

        if (nexmark is not null)
        {
            await FillNexmarkAsync(nexmark, stream, topic, cancellationToken).ConfigureAwait(false);
        }

        return new CommandResult(tag);
    }

    private bool CheckExists(CreateRelationStatement create)
    {
        if (Catalog.FindStream(create.Name.Name) is null)
        {
            return false;
        }

        if (create.IfNotExists)
        {
            return true;
        }

        if (create.OrReplace)
        {
            throw SqlException.NotSupported("CREATE OR REPLACE of an existing stream", create.Position);
        }

        throw new SqlException(SqlState.DuplicateTable, $"relation \"{create.Name.Name}\" already exists", create.Name.Position);
    }

    private async Task<StatementResult> CreateStreamAsSelectAsync(CreateRelationStatement create, SessionContext session, string? loggedQueryId, CancellationToken cancellationToken)
    {
        if (create.Kind != RelationKind.Stream)
        {
            throw SqlException.NotSupported("CREATE TABLE AS SELECT", create.Position);
        }

        StreamBinder.BindNexmark(create);
        if (CheckExists(create))
        {
            return new CommandResult("CREATE STREAM");
        }

        var query = BindAndOptimize(create.AsQuery!);
        var leaf = Operators.PartitionPipeline.Build(query.Plan, tables: TableLookup).Leaf;
        if (leaf is Planner.Logical.LogicalAggregate)
        {
            throw SqlException.NotSupported("GROUP BY or aggregates in a persistent query", create.AsQuery!.Position);
        }

        if (leaf is Planner.Logical.LogicalJoin)
        {
            throw TableJoinedOnNonKey(query.Plan) ?? SqlException.NotSupported("JOIN in a persistent query other than " + StreamingJoinShape, create.AsQuery!.Position);
        }

        if (leaf is not (Planner.Logical.LogicalScan or Planner.Logical.LogicalStreamJoin))
        {
            // ORDER BY, DISTINCT, OFFSET and set operations need the whole input: only pull queries run them so far.
            var step = leaf switch
            {
                Planner.Logical.LogicalSort => "ORDER BY",
                Planner.Logical.LogicalDistinct => "DISTINCT",
                Planner.Logical.LogicalOffset => "OFFSET",
                Planner.Logical.LogicalSetOperation set => set.Operator.ToString().ToUpperInvariant(),
                _ => leaf.GetType().Name.Replace("Logical", "", StringComparison.Ordinal).ToUpperInvariant(),
            };
            throw SqlException.NotSupported($"{step} in a persistent query", create.AsQuery!.Position);
        }

        var source = query.Source ?? throw new SqlException(SqlState.FeatureNotSupported, "a persistent query must read a stream", create.AsQuery!.Position);
        if (query.Plan is Planner.Logical.LogicalLimit)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "a persistent query cannot have a LIMIT", create.AsQuery!.Position);
        }

        var queryId = loggedQueryId ?? Catalog.NextQueryId("csas", create.Name.Name);
        Catalog.NoteQueryId(queryId);
        var sink = StreamBinder.BindSink(create, query, queryId);
        if (sink.Topic == source.Topic)
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"a query cannot write to the topic it reads (\"{sink.Topic}\")", create.Position);
        }

        var sourceTopic = Topics.Find(source.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{source.Topic}\" of stream \"{source.Name}\" does not exist");
        var existing = Topics.Find(sink.Topic);
        if (existing is not null)
        {
            sink = sink with { Partitions = existing.PartitionCount };
        }

        var sinkTopic = Topics.GetOrCreate(sink.Topic, sink.Partitions);
        var definition = new QueryDefinition(queryId, create.Text, sink.Name, source.Name, query.Plan);
        var offsets = OffsetsOf(queryId);
        // A join whose inputs are not co-partitioned first re-keys its stream side(s) through internal topics (stages).
        var stages = new List<PersistentQuery>();
        var running = leaf is Planner.Logical.LogicalStreamJoin streamJoin
            ? StreamJoinQuery(definition, sink, streamJoin, sourceTopic, sinkTopic, offsets, stages)
            : FindLookupJoin(query.Plan) is { } lookupJoin
                ? StreamTableJoinQuery(definition, sink, lookupJoin, sourceTopic, sinkTopic, offsets, stages)
                : new PersistentQuery(definition, sink, sourceTopic, sinkTopic, offsets, _errorTopic, TableLookup);
        if (!_replaying)
        {
            foreach (var stage in stages)
            {
                stage.InitializeOffsets(session.FromLatest);
            }

            running.InitializeOffsets(session.FromLatest);
        }

        await LogAsync(create, queryId, cancellationToken).ConfigureAwait(false);
        Catalog.AddStream(sink);
        Catalog.AddQuery(definition);
        lock (_running)
        {
            Track(queryId, running);
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

        return new CommandResult("CREATE STREAM");
    }

    /// <summary>
    /// A CREATE STREAM AS SELECT over a stream–stream join: task p reads partition p of both inputs; join state in a store
    /// per partition. Inputs that are not co-partitioned are re-keyed first (stages): the side not keyed by its join key goes
    /// to the other side's partition count and key format; when neither is, both go to the larger partition count.
    /// </summary>
    private PersistentQuery StreamJoinQuery(QueryDefinition definition, StreamDefinition sink, Planner.Logical.LogicalStreamJoin join, ITopicLog left, ITopicLog sinkTopic,
        OffsetStore offsets, List<PersistentQuery> stages) =>
        StreamJoinQuery(definition, TopicRowSink.StreamEncoder(new Formats.RowCodec(sink)), join, left, sinkTopic, offsets, stages);

    /// <param name="encode">Makes the output record of a joined row (an aggregation's join stage keys it by the group).</param>
    private PersistentQuery StreamJoinQuery(QueryDefinition definition, Func<Rows.Value[], Operators.ChangeOp, ProducedRecord> encode,
        Planner.Logical.LogicalStreamJoin join, ITopicLog left, ITopicLog sinkTopic, OffsetStore offsets, List<PersistentQuery> stages)
    {
        var right = Topics.Find(join.Right.Source.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{join.Right.Source.Topic}\" of stream \"{join.Right.Source.Name}\" does not exist");
        var plan = definition.Plan;
        var rekeyed = new PersistentQuery?[2];
        if (!join.IsCoPartitioned(left.PartitionCount, right.PartitionCount))
        {
            var (leftSource, rightSource) = (join.Left.Source, join.Right.Source);
            var leftKeyed = Planner.Logical.LogicalStreamJoin.IsKeyColumn(join.LeftKey, leftSource);
            var rightKeyed = Planner.Logical.LogicalStreamJoin.IsKeyColumn(join.RightKey, rightSource);
            var keyType = join.LeftKey.Type;
            var (rekeyLeft, rekeyRight, partitions, keyFormat) = (leftKeyed, rightKeyed) switch
            {
                (true, _) => (false, true, left.PartitionCount, leftSource.KeyFormat),
                (false, true) => (true, false, right.PartitionCount, rightSource.KeyFormat),
                _ => (true, true, Math.Max(left.PartitionCount, right.PartitionCount), SourceFormat.Json),
            };
            if (rekeyLeft)
            {
                var (stage, scan) = JoinRepartitionStage(definition.Id, left: true, leftSource, join.LeftKey, keyFormat, keyType, partitions);
                stages.Add(stage);
                rekeyed[0] = stage;
                plan = ReplaceJoinScan(plan, join.Left, scan);
            }

            if (rekeyRight)
            {
                var (stage, scan) = JoinRepartitionStage(definition.Id, left: false, rightSource, join.RightKey, keyFormat, keyType, partitions);
                stages.Add(stage);
                rekeyed[1] = stage;
                plan = ReplaceJoinScan(plan, join.Right, scan);
            }

            join = (Planner.Logical.LogicalStreamJoin)Operators.PartitionPipeline.Build(plan).Leaf;
            left = Topics.Find(join.Left.Source.Topic)!;
            right = Topics.Find(join.Right.Source.Topic)!;
        }

        // Each partition's join state is one store, checkpointed with both inputs' offsets and restored at start.
        var state = new QueryState(StateStores, $"queries/{definition.Id}", Path.Combine(_queriesDirectory, definition.Id));
        return new PersistentQuery(definition, left, sinkTopic, offsets, _errorTopic, stateful: true,
            metrics => _ => Operators.PartitionPipeline.Build(plan, carryRowTime: true, metrics.RecordExpressionError),
            encode, right: right,
            joinFor: (partition, metrics) =>
            {
                var store = state.Open(partition, "join");
                // A persistent query's expression that fails on a row yields NULL (a predicate: false) and is counted, as in its pipeline.
                return new Operators.StreamStreamJoinOperator(join, Expressions.ExpressionCompiler.Compile(join.LeftKey, metrics.RecordExpressionError),
                    Expressions.ExpressionCompiler.Compile(join.RightKey, metrics.RecordExpressionError),
                    join.Residual is null ? null : Expressions.ExpressionCompiler.CompilePredicate(join.Residual, metrics.RecordExpressionError),
                    store, metrics.CountLate, JoinFilters(join, metrics.RecordExpressionError));
            })
        {
            State = state,
            InputUpstreamPending = rekeyed[0] is null && rekeyed[1] is null ? null : side => rekeyed[side]?.PendingProgress(),
        };
    }

    /// <summary>The WHERE conditions pushed into a stream join, compiled per side (null where a side has none).</summary>
    internal static Func<global::StreamSql.Runtime.Rows.Value[], bool>?[] JoinFilters(Planner.Logical.LogicalStreamJoin join, Action<SqlException>? onError) =>
    [
        join.LeftFilter is null ? null : Expressions.ExpressionCompiler.CompilePredicate(join.LeftFilter, onError),
        join.RightFilter is null ? null : Expressions.ExpressionCompiler.CompilePredicate(join.RightFilter, onError),
    ];

    private async Task<StatementResult> DropAsync(DropStatement drop, CancellationToken cancellationToken)
    {
        if (drop.Kind is not (RelationKind.Stream or RelationKind.Table or RelationKind.MaterializedView))
        {
            throw SqlException.NotSupported("DROP " + (drop.Kind == RelationKind.MaterializedView ? "MATERIALIZED VIEW" : drop.Kind.ToString().ToUpperInvariant()), drop.Position);
        }

        var what = drop.Kind switch
        {
            RelationKind.Table => "TABLE",
            RelationKind.MaterializedView => "MATERIALIZED VIEW",
            _ => "STREAM",
        };
        var stream = Catalog.FindStream(drop.Name.Name);
        if (stream is null)
        {
            return drop.IfExists
                ? new CommandResult("DROP " + what)
                : throw new SqlException(SqlState.UndefinedTable, $"{what.ToLowerInvariant()} \"{drop.Name.Name}\" does not exist", drop.Name.Position);
        }

        if (stream.Kind != drop.Kind)
        {
            throw new SqlException(SqlState.WrongObjectType, $"\"{stream.Name}\" is not a {what.ToLowerInvariant()}", drop.Name.Position,
                hint: $"Use DROP {KindName(stream.Kind)} to remove a {KindName(stream.Kind).ToLowerInvariant()}.");
        }

        var readers = Catalog.QueriesReading(stream.Name);
        if (readers.Count > 0)
        {
            throw new SqlException(SqlState.ObjectInUse,
                $"cannot drop stream \"{stream.Name}\": query {string.Join(", ", readers.Select(q => q.Id))} reads from it",
                drop.Name.Position, hint: "TERMINATE the query first.");
        }

        await LogAsync(drop, null, cancellationToken).ConfigureAwait(false);
        if (stream.SourceQueryId is { } writer && Catalog.FindQuery(writer) is not null)
        {
            await StopQueryAsync(writer).ConfigureAwait(false);
        }

        Catalog.RemoveStream(stream.Name);
        await StopTableAsync(stream.Name).ConfigureAwait(false);
        if (drop.DeleteTopic && !Catalog.Streams().Any(s => s.Topic == stream.Topic))
        {
            Topics.Delete(stream.Topic);
        }

        return new CommandResult("DROP " + what);
    }

    private static string KindName(RelationKind kind) => kind switch
    {
        RelationKind.Table => "TABLE",
        RelationKind.MaterializedView => "MATERIALIZED VIEW",
        _ => "STREAM",
    };

    private async Task<StatementResult> TerminateAsync(TerminateStatement terminate, CancellationToken cancellationToken)
    {
        var ids = terminate.QueryId is null
            ? Catalog.Queries().Select(q => q.Id).ToList()
            : [Catalog.FindQuery(terminate.QueryId)?.Id
                ?? throw new SqlException(SqlState.UndefinedObject, $"query \"{terminate.QueryId}\" does not exist", terminate.Position)];
        await LogAsync(terminate, null, cancellationToken).ConfigureAwait(false);
        foreach (var id in ids)
        {
            await StopQueryAsync(id).ConfigureAwait(false);
        }

        return new CommandResult("TERMINATE");
    }

    /// <summary>Stops a query's stages and deletes their offsets, state and the internal topics the query's stages write.</summary>
    private async Task DiscardStagesAsync(string queryId, IEnumerable<PersistentQuery> stages)
    {
        foreach (var stage in stages)
        {
            await stage.DisposeAsync().ConfigureAwait(false);
            OffsetsOf(stage.Definition.Id).Delete();
            StateStores.Delete($"queries/{stage.Definition.Id}");
        }

        // One listing, not a lookup per name a stage may have written: in Kafka mode each lookup of an absent topic is a
        // metadata request, and a join of aggregations has some twenty such names.
        var written = new HashSet<string>(StageTopics(queryId), StringComparer.Ordinal);
        foreach (var topic in Topics.List())
        {
            if (written.Contains(topic.Name))
            {
                Topics.Delete(topic.Name);
            }
        }
    }

    /// <summary>Stops a query and forgets it; the stream it wrote stays (as in ksqlDB), no longer fed.</summary>
    private async Task StopQueryAsync(string queryId)
    {
        PersistentQuery? running;
        var stages = new List<PersistentQuery>();
        lock (_running)
        {
            _running.Remove(queryId, out running);
            foreach (var stageId in AllStageIds(queryId))
            {
                if (_running.Remove(stageId, out var stage))
                {
                    stages.Add(stage);
                }
            }
        }

        if (running is not null)
        {
            await running.DisposeAsync().ConfigureAwait(false);
        }

        // The internal topics its stages wrote go with the query.
        await DiscardStagesAsync(queryId, stages).ConfigureAwait(false);

        Catalog.RemoveQuery(queryId);
        var sink = Catalog.Streams().FirstOrDefault(s => s.SourceQueryId == queryId);
        if (sink is not null)
        {
            Catalog.RemoveStream(sink.Name);
            Catalog.AddStream(sink with { SourceQueryId = null });
        }

        OffsetsOf(queryId).Delete();
        StateStores.Delete($"queries/{queryId}");
    }
}
