using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;

namespace StreamSql.Runtime.Engine;

/// <summary>
/// CREATE TABLE ... AS SELECT over a table–table join on both primary keys: a persistent query whose output is a table
/// changelog keyed by the join key (an upsert when a key's joined row appears or changes, a tombstone when it goes).
/// </summary>
public sealed partial class StreamEngine
{
    /// <param name="stages">The queries writing the joined tables, when they are a join of aggregations' internal tables (started first).</param>
    /// <param name="catalogPlan">The statement's plan as the catalog keeps it (over the streams the stages read), when it is not plan.</param>
    /// <param name="formatSource">The relation whose value format and partitions the result takes, when it is not the left table.</param>
    private async Task<StatementResult> CreateTableJoinAsync(QualifiedName name, RelationKind kind, IReadOnlyList<Property> properties, Query asQuery,
        Statement statement, string? loggedQueryId, LogicalPlan plan, LogicalTableJoin join, CancellationToken cancellationToken,
        IReadOnlyList<PersistentQuery>? stages = null, LogicalPlan? catalogPlan = null, StreamDefinition? formatSource = null)
    {
        var tag = kind == RelationKind.Table ? "CREATE TABLE" : "CREATE MATERIALIZED VIEW";
        if (plan is not (LogicalProject or LogicalFilter))
        {
            throw SqlException.NotSupported("a persistent table–table JOIN with " + plan.GetType().Name.Replace("Logical", "", StringComparison.Ordinal).ToUpperInvariant(),
                asQuery.Position);
        }

        var (left, right) = (join.Left.Source, join.Right.Source);
        var leftTopic = Topics.Find(left.Topic) ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{left.Topic}\" of table \"{left.Name}\" does not exist");
        var rightTopic = Topics.Find(right.Topic) ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{right.Topic}\" of table \"{right.Name}\" does not exist");
        if (leftTopic.PartitionCount != rightTopic.PartitionCount)
        {
            throw SqlException.NotSupported(
                $"a persistent JOIN of tables that are not co-partitioned (\"{left.Name}\" has {leftTopic.PartitionCount} partitions, \"{right.Name}\" {rightTopic.PartitionCount})",
                asQuery.Position);
        }

        if (left.KeyFormat != right.KeyFormat)
        {
            throw SqlException.NotSupported(
                $"a persistent JOIN of tables that are not co-partitioned (\"{left.Name}\" has key format {left.KeyFormat}, \"{right.Name}\" {right.KeyFormat})",
                asQuery.Position);
        }

        var project = plan as LogicalProject ?? throw SqlException.NotSupported("a persistent table–table JOIN without a SELECT list", asQuery.Position);
        var queryId = loggedQueryId ?? Catalog.NextQueryId("ctas", name.Name);
        Catalog.NoteQueryId(queryId);
        var sink = StreamBinder.BindTableJoinSink(name.Name, kind, properties, project, KeyPairs(join), formatSource ?? left, queryId, asQuery.Position);
        if (sink.Topic == left.Topic || sink.Topic == right.Topic)
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"a query cannot write to the topic it reads (\"{sink.Topic}\")", statement.Position);
        }

        if (Topics.Find(sink.Topic) is { } existing)
        {
            sink = sink with { Partitions = existing.PartitionCount };
        }

        var sinkTopic = Topics.GetOrCreate(sink.Topic, sink.Partitions);
        var definition = new QueryDefinition(queryId, statement.Text, sink.Name, (formatSource ?? left).Name, catalogPlan ?? plan);
        var state = new QueryState(StateStores, $"queries/{queryId}", Path.Combine(_queriesDirectory, queryId));
        var encoder = new TableRecordEncoder(sink);
        var n = leftTopic.PartitionCount;
        // The table's materialization stores the records this query encoded without decoding them again.
        Tables.TableState? materialized = null;
        var running = new PersistentQuery(definition, leftTopic, sinkTopic, OffsetsOf(queryId), _errorTopic, stateful: true,
            metrics => _ => PartitionPipeline.Build(plan, carryRowTime: true, metrics.RecordExpressionError),
            encoder.Encode, right: rightTopic,
            tableJoinFor: (partition, _) => new TableTableJoinOperator(join,
                new ChangelogRecordDecoder(new Formats.RowCodec(left), state.Open(partition, "left")) { RowsWrittenByEngine = WrittenByQuery(left) },
                new ChangelogRecordDecoder(new Formats.RowCodec(right), state.Open(n + partition, "right")) { RowsWrittenByEngine = WrittenByQuery(right) }, partition))
        {
            State = state,
            CheckpointInterval = Options.CheckpointInterval,
            OnOutputAppended = (partition, first, count) => materialized?.NoteOwnRecords(partition, first, count),
        };
        materialized = await StartTableQueryAsync(statement, sink, sinkTopic, definition, running, stages ?? [], cancellationToken).ConfigureAwait(false);
        return new CommandResult(tag);
    }

    /// <summary>For each key column of a table–table join, its index in the joined row on the left side and on the right.</summary>
    private static List<IReadOnlyList<int>> KeyPairs(LogicalTableJoin join) =>
        join.LeftKeys.Select((l, k) => (IReadOnlyList<int>)[l, join.Left.Schema.Count + join.RightKeys[k]]).ToList();
}
