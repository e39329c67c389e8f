using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
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
        var (project, aggregate) = PersistentAggregation(query.Plan, asQuery.Position);
        var source = query.Source is { Kind: RelationKind.Stream } s
            ? s
            : throw SqlException.NotSupported("a persistent aggregation over a table (retractions)", asQuery.Position);
        if (ContainsJoin(aggregate.Input))
        {
            // Its state is rebuilt by replaying the input at start, and lookups then would see today's table rows.
            throw SqlException.NotSupported("JOIN in a persistent aggregation", asQuery.Position);
        }

        if (source.Partitions > 1 && !GroupsBySourceKey(aggregate, source))
        {
            throw SqlException.NotSupported($"GROUP BY other than the key of the {source.Partitions}-partition stream \"{source.Name}\" (needs a repartition)", asQuery.Position);
        }

        project = WithWindowBounds(project, aggregate);
        var plan = (LogicalPlan)project;
        var queryId = loggedQueryId ?? Catalog.NextQueryId("ctas", name.Name);
        Catalog.NoteQueryId(queryId);
        var sink = StreamBinder.BindTableSink(name.Name, kind, properties, project, aggregate, source, queryId, asQuery.Position);
        if (sink.Topic == source.Topic)
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"a query cannot write to the topic it reads (\"{sink.Topic}\")", statement.Position);
        }

        var sourceTopic = Topics.Find(source.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{source.Topic}\" of stream \"{source.Name}\" does not exist");
        if (Topics.Find(sink.Topic) is { } existing)
        {
            sink = sink with { Partitions = existing.PartitionCount };
        }

        var sinkTopic = Topics.GetOrCreate(sink.Topic, sink.Partitions);
        var definition = new QueryDefinition(queryId, statement.Text, sink.Name, source.Name, plan);
        var emitFinal = asQuery.Emit == EmitMode.Final;
        var stores = new IStateStore[sourceTopic.PartitionCount];
        var encoder = new TableRecordEncoder(sink);
        var running = new PersistentQuery(definition, sourceTopic, sinkTopic, new OffsetStore(Path.Combine(_queriesDirectory, queryId)), _errorTopic, stateful: true,
            metrics => partition =>
            {
                stores[partition] = StateStores.Open($"queries/{queryId}/p{partition}");
                return PartitionPipeline.BuildStateful(plan, stores[partition], emitFinal, retractable: false, carryRowTime: true, metrics.RecordExpressionError, metrics.CountLate);
            },
            encoder.Encode)
        {
            Stores = stores,
        };
        if (!_replaying)
        {
            running.InitializeOffsets(fromLatest: false);
        }

        await LogAsync(statement, queryId, cancellationToken).ConfigureAwait(false);
        Catalog.AddStream(sink);
        Catalog.AddQuery(definition);
        StartTable(sink, sinkTopic);
        lock (_running)
        {
            _running[queryId] = running;
        }

        if (!_replaying)
        {
            running.Start();
        }

        return new CommandResult(tag);
    }

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

    private static bool ContainsJoin(LogicalPlan plan) => plan is LogicalJoin or LogicalLookupJoin || plan.Inputs.Any(ContainsJoin);

    /// <summary>True when a group key is the stream's key column, so every row of a group is in one partition (no repartition).</summary>
    private static bool GroupsBySourceKey(LogicalAggregate aggregate, StreamDefinition source) =>
        source.KeyIndex >= 0 && aggregate.Keys.Any(k => k is BoundColumn c && c.Index == source.KeyIndex);

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
