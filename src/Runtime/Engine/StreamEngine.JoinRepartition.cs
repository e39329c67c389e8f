using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>
/// Joins whose inputs are not co-partitioned (ksqlDB's repartition): a stream side is re-keyed by its join expression into
/// an internal topic with the other side's partition count, by a first-stage query, and the join reads that topic instead.
/// A table side cannot be re-keyed (its rows are upserts by primary key): such joins are refused.
/// </summary>
public sealed partial class StreamEngine
{
    /// <summary>The stage query ids of a query: its left (or only) repartition, then its right one (a stream–stream join re-keying both sides).</summary>
    private static string[] StageIds(string queryId) => [RepartitionId(queryId), queryId + "_right_repartition"];

    /// <summary>
    /// Every stage query id a query may have, in the order they run: an aggregation's re-keying of its joined streams,
    /// <see cref="StageIds"/>, a nested aggregation's inner one; before them, a join of aggregations' sides (each after its own stages).
    /// </summary>
    private static string[] AllStageIds(string queryId) => [.. SideStageIds(queryId, left: true), .. SideStageIds(queryId, left: false), .. OwnStageIds(queryId)];

    private static string[] OwnStageIds(string queryId) => [.. JoinRekeyIds(queryId), .. StageIds(queryId), InnerAggregationId(queryId)];

    /// <summary>A join of aggregations' side: the stages of its aggregation, then that aggregation.</summary>
    private static string[] SideStageIds(string queryId, bool left) => [.. OwnStageIds(SideAggregationId(queryId, left)), SideAggregationId(queryId, left)];

    /// <summary>Every internal topic a query's stages may have written (aggregation repartition and join stage, join repartitions, inner aggregation, a join of aggregations' sides).</summary>
    private string[] StageTopics(string queryId) =>
    [
        .. OwnStageTopics(SideAggregationId(queryId, left: true)), Options.InternalTopic(SideAggregationId(queryId, left: true) + "-table"),
        .. OwnStageTopics(SideAggregationId(queryId, left: false)), Options.InternalTopic(SideAggregationId(queryId, left: false) + "-table"),
        .. OwnStageTopics(queryId),
    ];

    private string[] OwnStageTopics(string queryId) =>
    [
        Options.InternalTopic(queryId + "-repartition"), Options.InternalTopic(queryId + "-join"),
        Options.InternalTopic(queryId + "-left-repartition"), Options.InternalTopic(queryId + "-right-repartition"),
        Options.InternalTopic(RepartitionId(queryId) + "-left-repartition"), Options.InternalTopic(RepartitionId(queryId) + "-right-repartition"),
        InnerAggregationTopic(queryId),
    ];

    /// <summary>
    /// A first stage re-keying one stream side of a join: it reads the stream, keeps every column and the event time, and
    /// writes each row to the internal topic _streamsql_&lt;queryid&gt;-&lt;side&gt;-repartition (partitions partitions),
    /// keyed by the join key serialized in keyFormat, so a row lands where the other side's rows of that key are. Returns
    /// the stage and a scan of the internal stream (same columns, no KEY) to put in place of the side's scan.
    /// </summary>
    private (PersistentQuery Stage, LogicalScan Scan) JoinRepartitionStage(string queryId, bool left, StreamDefinition source, BoundExpression key,
        SourceFormat keyFormat, SqlType keyType, int partitions)
    {
        var sourceTopic = Topics.Find(source.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{source.Topic}\" of stream \"{source.Name}\" does not exist");
        var stageId = StageIds(queryId)[left ? 0 : 1];
        var topicName = Options.InternalTopic($"{queryId}-{(left ? "left" : "right")}-repartition");
        // Built with the constructor, not `with`: the derived properties (key and timestamp index, row schema) must follow the columns.
        var internalStream = new StreamDefinition(stageId, RelationKind.Stream, source.Columns.Select(c => c with { IsKey = false }).ToList(),
            topicName, partitions, SourceFormat.None, SourceFormat.Internal, null, source.ValueDelimiter, queryId);
        var topic = Topics.GetOrCreate(topicName, partitions);
        var columns = source.Columns.Select((c, i) => (BoundExpression)new BoundColumn(i, c.Name, c.Type)).ToList();
        var stagePlan = new LogicalProject(new LogicalScan(source), columns, internalStream.Columns);
        var codec = new RowCodec(internalStream);
        var keyOf = Expressions.ExpressionCompiler.Compile(key);
        var serializer = new KeyFormat(keyFormat, keyType);
        var definition = new QueryDefinition(stageId, "", internalStream.Name, source.Name, stagePlan);
        var stage = new PersistentQuery(definition, sourceTopic, topic, OffsetsOf(stageId), _errorTopic, stateful: false,
            metrics => _ => PartitionPipeline.Build(stagePlan, carryRowTime: true, metrics.RecordExpressionError),
            (row, _) =>
            {
                StreamSql.Runtime.Rows.Value keyValue;
                try
                {
                    keyValue = keyOf(row);
                }
                catch (SqlException)
                {
                    // As in the join itself: a key that fails to compute is NULL, which matches nothing.
                    keyValue = StreamSql.Runtime.Rows.Value.Null;
                }

                // The output's last column is the row's event time (carryRowTime): the internal record keeps it.
                var record = codec.Encode(row, TextValues.TimestampToMillis(row[^1].AsLong));
                return record with { Key = serializer.Serialize(keyValue) };
            });
        return (stage, new LogicalScan(internalStream));
    }

    /// <summary>The plan with one scan (by reference) replaced, through the steps a streaming join query has.</summary>
    private static LogicalPlan ReplaceJoinScan(LogicalPlan plan, LogicalScan target, LogicalScan replacement) =>
        ReferenceEquals(plan, target) ? replacement : plan switch
        {
            LogicalProject p => p with { Input = ReplaceJoinScan(p.Input, target, replacement) },
            LogicalFilter f => f with { Input = ReplaceJoinScan(f.Input, target, replacement) },
            LogicalLookupJoin j => j with { Left = ReplaceJoinScan(j.Left, target, replacement) },
            LogicalStreamJoin j => j with
            {
                Left = (LogicalScan)ReplaceJoinScan(j.Left, target, replacement),
                Right = (LogicalScan)ReplaceJoinScan(j.Right, target, replacement),
            },
            _ => plan,
        };

    /// <summary>The scan under a stream–table join's stream side (a scan, maybe filtered).</summary>
    private static LogicalScan StreamSideScan(LogicalPlan plan) => plan switch
    {
        LogicalScan scan => scan,
        LogicalFilter filter => StreamSideScan(filter.Input),
        _ => throw SqlException.NotSupported("a stream-table JOIN whose stream side is not a stream"),
    };

    /// <summary>
    /// When a join of a stream with a table compares a table column other than its PRIMARY KEY, the error naming them: a
    /// table is partitioned by its key and cannot be repartitioned (ksqlDB refuses too). Null when the join is not of that shape.
    /// </summary>
    private static SqlException? TableJoinedOnNonKey(LogicalPlan plan)
    {
        if (plan is LogicalJoin { Right: LogicalScan { Source: { Kind: not RelationKind.Stream } table }, Condition: BoundBinary { Operator: BinaryOperator.Equal } equal } join
            && ScannedStream(join.Left) is { Kind: RelationKind.Stream })
        {
            var leftWidth = join.Left.Schema.Count;
            var column = (equal.Left, equal.Right) switch
            {
                (BoundColumn c, _) when c.Index >= leftWidth => c.Index - leftWidth,
                (_, BoundColumn c) when c.Index >= leftWidth => c.Index - leftWidth,
                _ => -1,
            };
            if (column >= 0 && column != table.KeyIndex && column < table.Columns.Count)
            {
                return new SqlException(SqlState.FeatureNotSupported,
                    $"a stream-table JOIN must be on the table's PRIMARY KEY{(table.KeyIndex >= 0 ? $" (\"{table.Columns[table.KeyIndex].Name}\")" : "")}, "
                    + $"not on column \"{table.Columns[column].Name}\" of table \"{table.Name}\": a table cannot be repartitioned");
            }
        }

        foreach (var input in plan.Inputs)
        {
            if (TableJoinedOnNonKey(input) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static StreamDefinition? ScannedStream(LogicalPlan plan) => plan switch
    {
        LogicalScan scan => scan.Source,
        LogicalFilter filter => ScannedStream(filter.Input),
        _ => null,
    };
}
