using System.Runtime.CompilerServices;
using System.Threading.Channels;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Formats;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>INSERT VALUES, push queries (EMIT CHANGES) and pull queries over streams.</summary>
public sealed partial class StreamEngine
{
    private int _insertRoundRobin;
    private int _runningTransientQueries;

    /// <summary>Push and pull queries running for clients now (their partition tasks not yet ended); a closed or cancelled client query leaves this count.</summary>
    public int RunningTransientQueries => Volatile.Read(ref _runningTransientQueries);

    private async Task<StatementResult> InsertAsync(InsertValuesStatement insert, ParameterValues? parameters, CancellationToken cancellationToken)
    {
        var stream = Catalog.GetStream(insert.Target.Name, insert.Target.Position);
        if (stream.SourceQueryId is not null)
        {
            throw new SqlException(SqlState.ObjectInUse, $"cannot insert into stream \"{stream.Name}\": it is written by query {stream.SourceQueryId}", insert.Target.Position);
        }

        var rows = InsertBinder.Bind(insert, stream, parameters);
        var topic = Topics.Find(stream.Topic) ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{stream.Topic}\" does not exist");
        var codec = new RowCodec(stream);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var byPartition = new List<ProducedRecord>?[topic.PartitionCount];
        var empty = Array.Empty<Value>();
        foreach (var row in rows)
        {
            var values = new Value[stream.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = row[i] is BoundLiteral literal ? Value.FromConstant(literal.Value, literal.Type) : ExpressionCompiler.Compile(row[i])(empty);
            }

            var record = codec.Encode(values, now);
            var partition = codec.PartitionFor(record, topic.PartitionCount, ref _insertRoundRobin);
            (byPartition[partition] ??= []).Add(record);
        }

        for (var p = 0; p < byPartition.Length; p++)
        {
            if (byPartition[p] is { } records)
            {
                await topic.AppendAsync(p, records, cancellationToken).ConfigureAwait(false);
            }
        }

        return new CommandResult($"INSERT 0 {rows.Count}");
    }

    private RowsResult Select(Query query, SessionContext session, ParameterValues? parameters)
    {
        var bound = BindAndOptimize(query, parameters);
        var push = query.Emit != EmitMode.None;
        return new RowsResult(bound.Columns, Execute(bound.Plan, push, push && session.FromLatest, CancellationToken.None));
    }

    /// <summary>Turns a plan into rows: streaming steps on top, partition pipelines below; needs-all-input steps only for pull queries.</summary>
    private IAsyncEnumerable<Value[]> Execute(LogicalPlan plan, bool push, bool fromLatest, CancellationToken cancellationToken)
    {
        switch (plan)
        {
            case LogicalLimit limit:
                return LimitAsync(Execute(limit.Input, push, fromLatest, cancellationToken), limit.Count, cancellationToken);
            case LogicalOffset offset:
                return OffsetAsync(Execute(offset.Input, push, fromLatest, cancellationToken), offset.Count, cancellationToken);
            case LogicalSort sort:
                RequirePull(push, "ORDER BY");
                return SortAsync(Execute(sort.Input, push, fromLatest, cancellationToken), sort, cancellationToken);
            case LogicalDistinct distinct:
                RequirePull(push, "DISTINCT");
                return DistinctAsync(Execute(distinct.Input, push, fromLatest, cancellationToken), cancellationToken);
            case LogicalJoin join:
                RequirePull(push, "JOIN");
                return JoinAsync(join, Execute(join.Left, push, fromLatest, cancellationToken), Execute(join.Right, push, fromLatest, cancellationToken), cancellationToken);
            case LogicalSetOperation set:
                RequirePull(push, set.Operator.ToString().ToUpperInvariant());
                return SetOperationAsync(set, Execute(set.Left, push, fromLatest, cancellationToken), Execute(set.Right, push, fromLatest, cancellationToken), cancellationToken);
        }

        var pipeline = PartitionPipeline.Build(plan);
        switch (pipeline.Leaf)
        {
            case LogicalAggregate aggregate:
                RequirePull(push, "GROUP BY or aggregates");
                return RunAggregateAsync(aggregate, pipeline, cancellationToken);
            case LogicalValues:
                return RunValuesAsync(pipeline);
            case not LogicalScan:
                return RunAboveAsync(Execute(pipeline.Leaf, push, fromLatest, cancellationToken), pipeline, cancellationToken);
        }

        var topic = Topics.Find(pipeline.Source.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{pipeline.Source.Topic}\" of stream \"{pipeline.Source.Name}\" does not exist");
        return RunQueryAsync(pipeline, topic, push, fromLatest, cancellationToken);
    }

    private static void RequirePull(bool push, string feature)
    {
        if (push)
        {
            throw SqlException.NotSupported(feature + " in a push query (EMIT CHANGES)");
        }
    }

    /// <summary>Applies a pipeline's operators (and LIMIT) to rows another step produced, batch by batch.</summary>
    private static async IAsyncEnumerable<Value[]> RunAboveAsync(IAsyncEnumerable<Value[]> rows, PartitionPipeline above, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long emitted = 0;
        var batch = new RowBatch();
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch.Clear();
            batch.Add(row);
            above.Process(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                if (above.Limit is { } limit && emitted >= limit)
                {
                    yield break;
                }

                emitted++;
                yield return batch.Row(i);
            }
        }
    }

    /// <summary>A pull query with aggregates: reads its finite input to the end, groups it in memory, then applies what is above the aggregate.</summary>
    private async IAsyncEnumerable<Value[]> RunAggregateAsync(LogicalAggregate aggregate, PartitionPipeline above, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = Execute(aggregate.Input, push: false, fromLatest: false, cancellationToken);
        var aggregator = new Operators.Aggregation.HashAggregator(aggregate);
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            aggregator.Add(row);
        }

        var batch = new RowBatch();
        foreach (var result in aggregator.Results())
        {
            batch.Add(result);
        }

        above.Process(batch);
        var count = above.Limit is { } limit ? (int)Math.Min(limit, batch.Count) : batch.Count;
        for (var i = 0; i < count; i++)
        {
            yield return batch.Row(i);
        }
    }

    /// <summary>Runs a query over constant rows (VALUES, SELECT without FROM) once.</summary>
    private static async IAsyncEnumerable<Value[]> RunValuesAsync(PartitionPipeline pipeline)
    {
        var values = (LogicalValues)pipeline.Leaf;
        var batch = new RowBatch();
        var empty = Array.Empty<Value>();
        foreach (var row in values.Rows)
        {
            var evaluated = new Value[row.Count];
            for (var i = 0; i < row.Count; i++)
            {
                evaluated[i] = row[i] is BoundLiteral literal ? Value.FromConstant(literal.Value, literal.Type) : ExpressionCompiler.Compile(row[i])(empty);
            }

            batch.Add(evaluated);
        }

        pipeline.Process(batch);
        var count = pipeline.Limit is { } limit ? (int)Math.Min(limit, batch.Count) : batch.Count;
        for (var i = 0; i < count; i++)
        {
            yield return batch.Row(i);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Runs a transient query: a push query tails every partition; a pull query stops at the end offsets seen when it starts.</summary>
    private async IAsyncEnumerable<Value[]> RunQueryAsync(PartitionPipeline pipeline, ITopicLog topic, bool push, bool fromLatest,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var codec = new RowCodec(pipeline.Source, pipeline.ReadColumns);
        var metrics = new QueryMetrics("transient");
        var ends = new long[topic.PartitionCount];
        for (var p = 0; p < ends.Length; p++)
        {
            ends[p] = topic.EndOffset(p);
        }

        Task Produce(int p, ChannelWriter<Value[]> rows, CancellationToken stop) =>
            new PartitionTask(topic, p, codec, pipeline, new ChannelRowSink(rows), metrics, skipFailingRows: false)
                .RunAsync(fromLatest ? ends[p] : 0, push ? null : ends[p], null, stop);

        Interlocked.Increment(ref _runningTransientQueries);
        try
        {
            await foreach (var row in PartitionFanIn.RunAsync(topic.PartitionCount, Produce, pipeline.Limit, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _runningTransientQueries);
        }
    }
}
