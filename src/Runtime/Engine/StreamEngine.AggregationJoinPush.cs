using System.Runtime.CompilerServices;
using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Engine;

/// <summary>
/// A push query aggregating a stream–table join (`... FROM s JOIN t ON ... [WINDOW ...] GROUP BY ... EMIT CHANGES`): the
/// join runs as a push stream–table join does (event time), and its rows feed one stateful aggregation pipeline (state in
/// memory, gone with the query) — the persistent query's stages without the internal topics.
/// </summary>
public sealed partial class StreamEngine
{
    private async IAsyncEnumerable<Value[]> RunAggregateOverJoinPushAsync(LogicalPlan plan, LogicalAggregate aggregate, LogicalLookupJoin join, bool emitFinal,
        bool fromLatest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var below = BelowWindow(aggregate.Input);

        // The aggregation reads the joined rows as a stream of columns c0, c1, ... in the joined row's order, so the
        // expressions above the join read them unchanged (the scan's pseudocolumns are trimmed: a window's bounds follow).
        var columns = below.Schema.Select((c, i) => new ColumnSchema($"c{i}", c.Type)).ToList();
        var joined = new StreamDefinition("joined", RelationKind.Stream, columns, "", 1, SourceFormat.None, SourceFormat.Json, null, ",", null);
        var trimmed = new LogicalProject(new LogicalScan(joined), columns.Select((c, i) => (BoundExpression)new BoundColumn(i, c.Name, c.Type)).ToList(), columns);
        using var store = new State.MemoryStateStore();
        var metrics = TransientMetrics();
        var pipeline = PartitionPipeline.BuildStateful(ReplaceScan(plan, below, trimmed), store, emitFinal, retractable: false, carryRowTime: false, null, metrics.CountLate);
        var rows = RunStreamTableJoinPush(below, join, limit: null, fromLatest, cancellationToken)
            ?? throw new Parser.Errors.SqlException(Parser.Errors.SqlState.UndefinedObject, $"a topic of the join with \"{join.Table.Name}\" does not exist");
        var width = joined.RowSchema.Count;
        var batch = new RowBatch();
        var emitted = 0L;
        await foreach (var row in rows.ConfigureAwait(false))
        {
            var padded = new Value[width];
            Array.Copy(row, padded, Math.Min(row.Length, columns.Count));
            batch.Clear();
            batch.Add(padded);
            pipeline.Process(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                var op = ChannelRowSink.OpText(batch.Op(i));
                if (op.IsNull)
                {
                    continue;
                }

                yield return ChannelRowSink.WithOp(batch.Row(i), op);
                if (pipeline.Limit is { } limit && ++emitted >= limit)
                {
                    yield break;
                }
            }
        }
    }
}
