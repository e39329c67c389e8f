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
using StreamSql.Runtime.State;
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
            throw new SqlException(SqlState.ObjectInUse, $"cannot insert into {KindName(stream.Kind).ToLowerInvariant()} \"{stream.Name}\": it is written by query {stream.SourceQueryId}", insert.Target.Position);
        }

        var rows = InsertBinder.Bind(insert, stream, parameters);
        if (stream.Kind == RelationKind.Table)
        {
            foreach (var row in rows)
            {
                if (row[stream.KeyIndex] is BoundLiteral { Value: null })
                {
                    throw new SqlException(SqlState.NotNullViolation,
                        $"null value in column \"{stream.Columns[stream.KeyIndex].Name}\" of relation \"{stream.Name}\" violates not-null constraint", insert.Position);
                }
            }
        }

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

            if (stream.Kind == RelationKind.Table && values[stream.KeyIndex].IsNull)
            {
                throw new SqlException(SqlState.NotNullViolation,
                    $"null value in column \"{stream.Columns[stream.KeyIndex].Name}\" of relation \"{stream.Name}\" violates not-null constraint", insert.Position);
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

        if (stream.Kind == RelationKind.Table)
        {
            // Read-your-writes: a SELECT right after the INSERT sees the rows.
            await GetTableState(stream).CatchUpAsync(cancellationToken).ConfigureAwait(false);
        }

        return new CommandResult($"INSERT 0 {rows.Count}");
    }

    private RowsResult Select(Query query, SessionContext session, ParameterValues? parameters)
    {
        var bound = BindAndOptimize(query, parameters);
        var push = query.Emit != EmitMode.None;
        if (push && (bound.Source is { Kind: not RelationKind.Stream } || Planner.Binder.WindowColumns.FindAggregate(bound.Plan) is not null))
        {
            if (ContainsDistinct(bound.Plan))
            {
                // A changelog would need DISTINCT to count retractions; over a stream each row only ever arrives.
                throw SqlException.NotSupported("DISTINCT in a push query (EMIT CHANGES) over a table or an aggregation");
            }

            // A push query over a table or an aggregation streams a changelog: each row says what happened to it.
            return new RowsResult(PushColumns(bound), Execute(bound.Plan, push, push && session.FromLatest, CancellationToken.None, query.Emit == EmitMode.Final));
        }

        return new RowsResult(bound.Columns, Execute(bound.Plan, push, push && session.FromLatest, CancellationToken.None));
    }

    /// <summary>A push query's columns: over a table (its changes), an op column follows the selected ones (Describe says so too).</summary>
    private static IReadOnlyList<Planner.Catalog.ColumnSchema> PushColumns(BoundQuery bound) =>
        bound.Source is { Kind: not RelationKind.Stream } || Planner.Binder.WindowColumns.FindAggregate(bound.Plan) is not null
        ? [.. bound.Columns, new Planner.Catalog.ColumnSchema("op", Planner.Types.SqlType.Varchar)]
        : bound.Columns;

    /// <summary>Turns a plan into rows: streaming steps on top, partition pipelines below; needs-all-input steps only for pull queries.</summary>
    private IAsyncEnumerable<Value[]> Execute(LogicalPlan plan, bool push, bool fromLatest, CancellationToken cancellationToken, bool emitFinal = false)
    {
        switch (plan)
        {
            case LogicalLimit limit:
                return LimitAsync(Execute(limit.Input, push, fromLatest, cancellationToken, emitFinal), limit.Count, cancellationToken);
            case LogicalOffset offset:
                return OffsetAsync(Execute(offset.Input, push, fromLatest, cancellationToken), offset.Count, cancellationToken);
            case LogicalSort sort:
                RequirePull(push, "ORDER BY");
                return SortAsync(Execute(sort.Input, push, fromLatest, cancellationToken), sort, cancellationToken);
            case LogicalDistinct distinct when push:
                return DistinctPushAsync(Execute(distinct.Input, push, fromLatest, cancellationToken), cancellationToken);
            case LogicalDistinct distinct:
                return DistinctAsync(Execute(distinct.Input, push, fromLatest, cancellationToken), cancellationToken);
            case LogicalTableJoin tables when !push:
                return JoinAsync(tables.AsNestedLoop(), Execute(tables.Left, push, fromLatest, cancellationToken), Execute(tables.Right, push, fromLatest, cancellationToken), cancellationToken);
            case LogicalLookupJoin lookup when !push:
                return JoinAsync(lookup.AsNestedLoop(), Execute(lookup.Left, push, fromLatest, cancellationToken), Execute(lookup.Right, push, fromLatest, cancellationToken), cancellationToken);
            case LogicalJoin join:
                if (push)
                {
                    throw SqlException.NotSupported("JOIN in a push query (EMIT CHANGES) other than " + StreamingJoinShape);
                }

                return JoinAsync(join, Execute(join.Left, push, fromLatest, cancellationToken), Execute(join.Right, push, fromLatest, cancellationToken), cancellationToken);
            case LogicalSetOperation set:
                RequirePull(push, set.Operator.ToString().ToUpperInvariant());
                return SetOperationAsync(set, Execute(set.Left, push, fromLatest, cancellationToken), Execute(set.Right, push, fromLatest, cancellationToken), cancellationToken);
        }

        var pipeline = PartitionPipeline.Build(plan, tables: push ? TableLookup : null);
        if (push && pipeline.Leaf is LogicalScan && FindLookupJoin(plan) is { } streamTable && RunStreamTableJoinPush(plan, streamTable, pipeline.Limit, fromLatest, cancellationToken) is { } joined)
        {
            return joined;
        }

        switch (pipeline.Leaf)
        {
            case LogicalAggregate aggregate when push && IsOverLookupJoin(aggregate.Input) && FindLookupJoin(aggregate.Input) is { } join:
                return RunAggregateOverJoinPushAsync(plan, aggregate, join, emitFinal, fromLatest, cancellationToken);
            case LogicalAggregate aggregate when push && ContainsJoin(aggregate.Input):
                throw SqlException.NotSupported("an aggregation over a join other than a stream-table join in a push query (EMIT CHANGES); "
                    + "a persistent query (CREATE TABLE AS SELECT) aggregates a stream-stream join");
            case LogicalAggregate when push:
                return RunAggregatePushAsync(plan, emitFinal, fromLatest, untilEnd: false, cancellationToken);
            case LogicalAggregate { Window: { IsSession: true } or { IsSliding: true } } windowed:
                return RunMergingWindowPullAsync(windowed, pipeline, cancellationToken);
            case LogicalAggregate aggregate:
                return RunAggregateAsync(aggregate, pipeline, cancellationToken);
            case LogicalValues:
                return RunValuesAsync(pipeline);
            case LogicalStreamJoin join:
                return RunStreamJoinAsync(join, pipeline, push, fromLatest, cancellationToken);
            case LogicalTableJoin join when push:
                return RunTableJoinChangesAsync(join, pipeline, cancellationToken);
            case not LogicalScan:
                return RunAboveAsync(Execute(pipeline.Leaf, push, fromLatest, cancellationToken), pipeline, cancellationToken);
        }

        if (pipeline.Source.Kind != RelationKind.Stream)
        {
            return push
                ? RunTableChangesAsync(pipeline, GetTableState(pipeline.Source), cancellationToken)
                : RunTableSnapshotAsync(pipeline, GetTableState(pipeline.Source), KeyLookup(plan), cancellationToken);
        }

        var topic = Topics.Find(pipeline.Source.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{pipeline.Source.Topic}\" of stream \"{pipeline.Source.Name}\" does not exist");
        return RunQueryAsync(pipeline, topic, push, fromLatest, cancellationToken);
    }

    /// <summary>What a push query rejects a join as: the stream–table lookup is the only streaming join so far.</summary>
    private const string StreamingJoinShape = "a stream-table join (stream [LEFT] JOIN table ON <stream expression> = <table primary key>)";

    /// <summary>A table as the stream–table join operator looks it up.</summary>
    private ITableLookup TableLookup(Planner.Catalog.StreamDefinition table) => GetTableState(table);

    private static void RequirePull(bool push, string feature)
    {
        if (push)
        {
            throw SqlException.NotSupported(feature + " in a push query (EMIT CHANGES)");
        }
    }

    private static bool ContainsDistinct(LogicalPlan plan) => plan is LogicalDistinct || plan.Inputs.Any(ContainsDistinct);

    /// <summary>SELECT DISTINCT in a push query: each distinct row once, the first time it arrives (the seen rows in memory state).</summary>
    private static async IAsyncEnumerable<Value[]> DistinctPushAsync(IAsyncEnumerable<Value[]> rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var store = new MemoryStateStore();
        var distinct = new DistinctOperator(store);
        var batch = new RowBatch();
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch.Clear();
            batch.Add(row);
            distinct.Process(batch);
            if (batch.Count > 0)
            {
                yield return batch.Row(0);
            }
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

    /// <summary>The key a pull query over a table asks for with WHERE key = constant, so it reads one row instead of scanning.</summary>
    private static Value? KeyLookup(LogicalPlan plan)
    {
        while (plan is LogicalProject or LogicalLimit)
        {
            plan = plan.Inputs[0];
        }

        if (plan is not LogicalFilter { Input: LogicalScan scan } filter || scan.Source.KeyIndex < 0)
        {
            return null;
        }

        return FindKeyEquality(filter.Predicate, scan.Source.KeyIndex);
    }

    private static Value? FindKeyEquality(BoundExpression predicate, int keyIndex) => predicate switch
    {
        BoundBinary { Operator: BinaryOperator.And } and => FindKeyEquality(and.Left, keyIndex) ?? FindKeyEquality(and.Right, keyIndex),
        BoundBinary { Operator: BinaryOperator.Equal, Left: BoundColumn c, Right: BoundLiteral l } when c.Index == keyIndex && l.Type == c.Type =>
            Value.FromConstant(l.Value, l.Type),
        BoundBinary { Operator: BinaryOperator.Equal, Left: BoundLiteral l, Right: BoundColumn c } when c.Index == keyIndex && l.Type == c.Type =>
            Value.FromConstant(l.Value, l.Type),
        _ => null,
    };

    /// <summary>A pull query over a table: its rows as of now (after applying everything written before the query), through the pipeline.</summary>
    private static async IAsyncEnumerable<Value[]> RunTableSnapshotAsync(PartitionPipeline pipeline, Tables.TableState table, Value? key,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await table.CatchUpAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<Value[]> rows = key is { } k
            ? table.Lookup(k) is { } row ? [row] : []
            : table.Snapshot();

        // A batch at a time through the pipeline: the snapshot decodes its rows as they are taken.
        var batch = new RowBatch();
        long emitted = 0;
        using var source = rows.GetEnumerator();
        var more = true;
        while (more)
        {
            batch.Clear();
            while (batch.Count < 512 && (more = source.MoveNext()))
            {
                batch.Add(source.Current);
            }

            if (batch.Count == 0)
            {
                break;
            }

            pipeline.Process(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                if (pipeline.Limit is { } limit && emitted >= limit)
                {
                    yield break;
                }

                emitted++;
                yield return batch.Row(i);
            }
        }
    }

    /// <summary>
    /// A push query over a table: its current rows, then every change as it happens. Each row ends with an op column
    /// ('insert', 'update' or 'delete'); an update whose new row fails the query's filter is a delete of the old one.
    /// </summary>
    private async IAsyncEnumerable<Value[]> RunTableChangesAsync(PartitionPipeline pipeline, Tables.TableState table,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A table first used now starts materializing: the snapshot is its rows once it caught up, not an empty start.
        await table.StartedAsync(cancellationToken).ConfigureAwait(false);
        var changes = Channel.CreateUnbounded<Tables.TableChange>(new UnboundedChannelOptions { SingleReader = true });
        using var subscription = table.Subscribe(change => changes.Writer.TryWrite(change), out var snapshot);
        Interlocked.Increment(ref _runningTransientQueries);
        try
        {
            long emitted = 0;
            foreach (var row in snapshot)
            {
                if (Through(pipeline, row) is { } output)
                {
                    yield return WithOp(output, "insert");
                    if (pipeline.Limit is { } limit && ++emitted >= limit)
                    {
                        yield break;
                    }
                }
            }

            await foreach (var change in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var result = ChangeWithOp(change.Before is null ? null : Through(pipeline, change.Before), change.After is null ? null : Through(pipeline, change.After));
                if (result is not null)
                {
                    yield return result;
                    if (pipeline.Limit is { } limit && ++emitted >= limit)
                    {
                        yield break;
                    }
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _runningTransientQueries);
        }
    }

    private static Value[]? Through(PartitionPipeline pipeline, Value[] row)
    {
        var batch = new RowBatch();
        batch.Add(row);
        pipeline.Process(batch);
        return batch.Count > 0 ? batch.Row(0) : null;
    }

    /// <summary>A change as a push query shows it: the new row (insert, update) or the old one (delete), then the op; null if neither passed the query.</summary>
    private static Value[]? ChangeWithOp(Value[]? before, Value[]? after) => (before, after) switch
    {
        (null, { } a) => WithOp(a, "insert"),
        ({ }, { } a) => WithOp(a, "update"),
        ({ } b, null) => WithOp(b, "delete"),
        _ => null,
    };

    private static Value[] WithOp(Value[] row, string op) => ChannelRowSink.WithOp(row, Value.FromString(op));

    /// <summary>
    /// A push query with GROUP BY: one stateful pipeline (state in memory, gone with the query) fed by every partition in
    /// turn, emitting each group's new row (EMIT CHANGES) or each window once when it closes (EMIT FINAL), with its op.
    /// </summary>
    private async IAsyncEnumerable<Value[]> RunAggregatePushAsync(LogicalPlan plan, bool emitFinal, bool fromLatest, bool untilEnd,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var store = new State.MemoryStateStore();
        var metrics = TransientMetrics();
        var overTable = ScannedRelation(plan)?.Kind is not (null or RelationKind.Stream);
        var pipeline = PartitionPipeline.BuildStateful(plan, store, emitFinal, retractable: overTable, carryRowTime: false, null, metrics.CountLate);
        var topic = Topics.Find(pipeline.Source.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{pipeline.Source.Topic}\" of stream \"{pipeline.Source.Name}\" does not exist");
        var codec = new RowCodec(pipeline.Source, overTable ? null : pipeline.ReadColumns);
        var ends = new long[topic.PartitionCount];
        for (var p = 0; p < ends.Length; p++)
        {
            ends[p] = topic.EndOffset(p);
        }

        // Over a table, each partition's changelog is read from the start and turned into changes that retract old rows.
        IRecordDecoder Decoder() => overTable ? new ChangelogRecordDecoder(codec, new State.MemoryStateStore()) : new StreamRecordDecoder(codec);

        Task Produce(int p, ChannelWriter<Value[][]> rows, CancellationToken stop) =>
            new PartitionTask(topic, p, Decoder(), pipeline, new ChannelRowSink(rows, withOps: true), metrics, skipFailingRows: false)
                .RunAsync(fromLatest && !overTable ? ends[p] : 0, untilEnd ? ends[p] : null, null, stop);

        // To its end (a pull query, which collapses the changes by key) the partitions are read in turn: with a task each,
        // one batch's changes could reach the channel after a later batch's (the pipeline is locked while it processes, not
        // while the sink writes), and a session that a merge replaced stayed in the result.
        async Task ProduceInTurn(int _, ChannelWriter<Value[][]> rows, CancellationToken stop)
        {
            for (var p = 0; p < topic.PartitionCount; p++)
            {
                await Produce(p, rows, stop).ConfigureAwait(false);
            }
        }

        var changes = untilEnd ? FanInAsync(1, ProduceInTurn, pipeline.Limit, cancellationToken) : FanInAsync(topic.PartitionCount, Produce, pipeline.Limit, cancellationToken);
        await foreach (var row in changes.ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>
    /// A pull query with session or sliding windows: their operator runs over the input as it is now, its changelog (windows
    /// inserted, updated, merged away) collapses by group key to the windows that remain, and HAVING and the SELECT list
    /// apply to those.
    /// </summary>
    private async IAsyncEnumerable<Value[]> RunMergingWindowPullAsync(LogicalAggregate aggregate, PartitionPipeline above,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var groups = new Dictionary<RowKey, Value[]>();
        var keys = aggregate.Keys.Count;
        await foreach (var change in RunAggregatePushAsync(aggregate, emitFinal: false, fromLatest: false, untilEnd: true, cancellationToken).ConfigureAwait(false))
        {
            var key = new RowKey(change[..keys]);
            if (change[^1].AsString == "delete")
            {
                groups.Remove(key);
            }
            else
            {
                groups[key] = change[..^2];
            }
        }

        var batch = new RowBatch();
        foreach (var row in groups.Values)
        {
            batch.Add(row);
        }

        above.Process(batch);
        var count = above.Limit is { } limit ? (int)Math.Min(limit, batch.Count) : batch.Count;
        for (var i = 0; i < count; i++)
        {
            yield return batch.Row(i);
        }
    }

    /// <summary>One producer per partition into one stream of rows, counted among the running transient queries while it runs.</summary>
    private IAsyncEnumerable<Value[]> FanInAsync(int partitions, Func<int, ChannelWriter<Value[][]>, CancellationToken, Task> produce, long? limit,
        CancellationToken cancellationToken) =>
        PartitionFanIn.RunAsync(partitions, produce, limit, CountRunning, cancellationToken);

    private void CountRunning(int delta) => Interlocked.Add(ref _runningTransientQueries, delta);

    /// <summary>The relation a single-input plan reads.</summary>
    private static Planner.Catalog.StreamDefinition? ScannedRelation(LogicalPlan plan) => plan switch
    {
        LogicalScan scan => scan.Source,
        _ when plan.Inputs.Count == 1 => ScannedRelation(plan.Inputs[0]),
        _ => null,
    };

    /// <summary>
    /// A transient stream–stream join: a task per partition reads both topics (state in memory, dropped with the query).
    /// A push query runs until cancelled; a pull query stops at the end offsets seen when it starts, then emits the outer
    /// rows still waiting for a partner (its input is finite, so no partner can come).
    /// </summary>
    private async IAsyncEnumerable<Value[]> RunStreamJoinAsync(LogicalStreamJoin join, PartitionPipeline above, bool push, bool fromLatest,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var topics = new[] { join.Left.Source, join.Right.Source }.Select(s => Topics.Find(s.Topic)
            ?? throw new SqlException(SqlState.UndefinedObject, $"topic \"{s.Topic}\" of stream \"{s.Name}\" does not exist")).ToArray();
        var ends = topics.Select(t => Enumerable.Range(0, t.PartitionCount).Select(t.EndOffset).ToArray()).ToArray();
        if (!join.IsCoPartitioned(topics[0].PartitionCount, topics[1].PartitionCount))
        {
            // No internal topic to repartition through: one task joins the whole of both inputs, each partition set read
            // as one partition merged by timestamp.
            var merged = topics.Select((t, s) => new MergedPartitionsTopic(t,
                fromLatest ? ends[s] : Enumerable.Range(0, t.PartitionCount).Select(t.StartOffset).ToArray(), push ? null : ends[s])).ToArray();
            topics = [merged[0], merged[1]];
            ends = merged.Select(m => new[] { m.EndOffset(0) }).ToArray();
            if (fromLatest)
            {
                ends = merged.Select(m => new[] { m.Base }).ToArray();
            }
        }

        var metrics = TransientMetrics();
        Task Produce(int p, ChannelWriter<Value[][]> rows, CancellationToken stop)
        {
            var joinOperator = new StreamStreamJoinOperator(join, ExpressionCompiler.Compile(join.LeftKey), ExpressionCompiler.Compile(join.RightKey),
                join.Residual is null ? null : ExpressionCompiler.CompilePredicate(join.Residual), new State.MemoryStateStore(), metrics.CountLate,
                JoinFilters(join, onError: null));
            var task = new StreamJoinTask(topics[0], topics[1], p, new RowCodec(join.Left.Source, join.Left.ReadColumns), new RowCodec(join.Right.Source, join.Right.ReadColumns), joinOperator, above,
                new ChannelRowSink(rows), metrics);
            long[] from = fromLatest ? [ends[0][p], ends[1][p]] : [topics[0].StartOffset(p), topics[1].StartOffset(p)];
            return task.RunAsync(from, push ? null : [ends[0][p], ends[1][p]], closeAtEnd: true, topics[0].PartitionCount + p, null, stop);
        }

        await foreach (var row in FanInAsync(topics[0].PartitionCount, Produce, above.Limit, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>Runs a transient query: a push query tails every partition; a pull query stops at the end offsets seen when it is called.</summary>
    private IAsyncEnumerable<Value[]> RunQueryAsync(PartitionPipeline pipeline, ITopicLog topic, bool push, bool fromLatest, CancellationToken cancellationToken)
    {
        var codec = new RowCodec(pipeline.Source, pipeline.ReadColumns);
        var metrics = TransientMetrics();
        var ends = new long[topic.PartitionCount];
        for (var p = 0; p < ends.Length; p++)
        {
            ends[p] = topic.EndOffset(p);
        }

        Task Produce(int p, ChannelWriter<Value[][]> rows, CancellationToken stop) =>
            new PartitionTask(topic, p, codec, pipeline, new ChannelRowSink(rows), metrics, skipFailingRows: false)
                .RunAsync(fromLatest ? ends[p] : 0, push ? null : ends[p], null, stop);

        return FanInAsync(topic.PartitionCount, Produce, pipeline.Limit, cancellationToken);
    }

    /// <summary>The counters of a pull or push query, with the processing-latency observer when one is configured.</summary>
    private QueryMetrics TransientMetrics() =>
        new("transient") { ProcessingLatencyObserver = Options.QueryProcessingLatencyObserver?.Invoke("transient") };
}
