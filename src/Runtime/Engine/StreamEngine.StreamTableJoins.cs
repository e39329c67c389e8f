using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Tables;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>Persistent stream–table joins in event-time order: task p merges partition p of the stream and of the table's changelog.</summary>
public sealed partial class StreamEngine
{
    /// <summary>The stream–table join of a plan (there is at most one: its stream side is a scan, maybe filtered).</summary>
    private static LogicalLookupJoin? FindLookupJoin(LogicalPlan plan)
    {
        if (plan is LogicalLookupJoin join)
        {
            return join;
        }

        foreach (var input in plan.Inputs)
        {
            if (FindLookupJoin(input) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// True when a stream row and the table row its join key names are always in the same partition: both topics have the
    /// same partition count and, with more than one, the stream is keyed by the join expression in the table's key format
    /// (both writers hash the same key bytes).
    /// </summary>
    private static bool IsCoPartitioned(LogicalLookupJoin join, StreamDefinition stream, ITopicLog streamTopic, ITopicLog tableTopic) =>
        streamTopic.PartitionCount == tableTopic.PartitionCount
        && (streamTopic.PartitionCount == 1
            || (join.LeftKey is BoundColumn c && stream.KeyIndex >= 0 && c.Index == stream.KeyIndex && stream.KeyFormat == join.Table.KeyFormat));

    /// <summary>
    /// A CREATE STREAM AS SELECT over a stream–table join: each partition has its own table rows (rebuilt from the changelog
    /// at start) and its own pipeline looking them up, driven by a <see cref="StreamTableJoinTask"/>. A stream not
    /// co-partitioned with the table is first re-keyed by the join expression into the table's partition count and key
    /// format (a stage), and the join reads that.
    /// </summary>
    private PersistentQuery StreamTableJoinQuery(QueryDefinition definition, StreamDefinition sink, LogicalLookupJoin join, ITopicLog streamTopic, ITopicLog sinkTopic,
        OffsetStore offsets, List<PersistentQuery> stages) =>
        StreamTableJoinQuery(definition, TopicRowSink.StreamEncoder(new Formats.RowCodec(sink)), join, streamTopic, sinkTopic, offsets, stages);

    /// <param name="encode">Makes the output record of a joined row (an aggregation's join stage keys it by the group).</param>
    private PersistentQuery StreamTableJoinQuery(QueryDefinition definition, Func<Rows.Value[], ChangeOp, ProducedRecord> encode, LogicalLookupJoin join,
        ITopicLog streamTopic, ITopicLog sinkTopic, OffsetStore offsets, List<PersistentQuery> stages)
    {
        var tableTopic = Topics.Find(join.Table.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{join.Table.Topic}\" of table \"{join.Table.Name}\" does not exist");
        var plan = definition.Plan;
        var scan = StreamSideScan(join.Left);
        Func<Task?>? upstreamPending = null;
        if (!IsCoPartitioned(join, scan.Source, streamTopic, tableTopic))
        {
            var (stage, internalScan) = JoinRepartitionStage(definition.Id, left: true, scan.Source, join.LeftKey, join.Table.KeyFormat,
                join.Table.Columns[join.Table.KeyIndex].Type, tableTopic.PartitionCount);
            stages.Add(stage);
            upstreamPending = stage.PendingProgress;
            plan = ReplaceJoinScan(plan, scan, internalScan);
            streamTopic = Topics.Find(internalScan.Source.Topic)!;
        }

        // Each partition's table rows live in a state store, checkpointed with the stream's offset (the changelog's is
        // stored beside the rows) and restored at start; opened with the partition's pipeline.
        var state = new QueryState(StateStores, $"queries/{definition.Id}", Path.Combine(_queriesDirectory, definition.Id));
        var rows = new PartitionTableRows[streamTopic.PartitionCount];
        return new PersistentQuery(definition, streamTopic, sinkTopic, offsets, _errorTopic, stateful: true,
            metrics => partition =>
            {
                rows[partition] = new PartitionTableRows(join.Table, partition, state.Open(partition, "table"));
                return PartitionPipeline.Build(plan, carryRowTime: true, metrics.RecordExpressionError, _ => rows[partition]);
            },
            encode, right: tableTopic,
            streamTableTaskFor: (partition, pipeline, rowSink, metrics) =>
                new StreamTableJoinTask(streamTopic, tableTopic, partition, rows[partition], pipeline, rowSink, metrics, upstreamPending))
        {
            State = state,
            CheckpointInterval = Options.CheckpointInterval,
        };
    }

    /// <summary>
    /// A push query over a stream–table join, with the persistent query's event-time semantics: a task per partition
    /// merges the stream (from the start, or its end for 'latest') with the table's whole changelog, its table rows in
    /// memory, dropped with the query. Inputs that are not co-partitioned have no internal topic to repartition through:
    /// one task then reads all of each, every input's partitions merged by timestamp, with the whole table in memory.
    /// </summary>
    private IAsyncEnumerable<StreamSql.Runtime.Rows.Value[]>? RunStreamTableJoinPush(LogicalPlan plan, LogicalLookupJoin join, long? limit, bool fromLatest,
        CancellationToken cancellationToken)
    {
        var scan = StreamSideScan(join.Left);
        if (Topics.Find(scan.Source.Topic) is not { } streamTopic || Topics.Find(join.Table.Topic) is not { } tableTopic)
        {
            return null;
        }

        var ends = new long[streamTopic.PartitionCount];
        for (var p = 0; p < ends.Length; p++)
        {
            ends[p] = fromLatest ? streamTopic.EndOffset(p) : 0;
        }

        if (!IsCoPartitioned(join, scan.Source, streamTopic, tableTopic))
        {
            var stream = new MergedPartitionsTopic(streamTopic, ends, null);
            tableTopic = new MergedPartitionsTopic(tableTopic, Enumerable.Range(0, tableTopic.PartitionCount).Select(tableTopic.StartOffset).ToArray(), null);
            (streamTopic, ends) = (stream, [stream.Base]);
        }

        var metrics = new QueryMetrics("transient");
        Task Produce(int p, System.Threading.Channels.ChannelWriter<StreamSql.Runtime.Rows.Value[][]> rows, CancellationToken stop)
        {
            var tableRows = new PartitionTableRows(join.Table, p, new State.MemoryStateStore());
            var pipeline = PartitionPipeline.Build(plan, tables: _ => tableRows);
            return new StreamTableJoinTask(streamTopic, tableTopic, p, tableRows, pipeline, new ChannelRowSink(rows), metrics)
                .RunAsync([ends[p], tableTopic.StartOffset(p)], streamTopic.PartitionCount + p, null, stop);
        }

        return FanInAsync(streamTopic.PartitionCount, Produce, limit, cancellationToken);
    }
}
