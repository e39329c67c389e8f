using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Expressions;
using StreamSql.Planner.Bound;
using StreamSql.Runtime.Operators.Aggregation;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Operators;

/// <summary>The physical form of a stateless query: the source stream and the operators each partition task applies, compiled once.</summary>
public sealed class PartitionPipeline
{
    private PartitionPipeline(LogicalPlan leaf, IReadOnlyList<IBatchOperator> operators, long? limit, IReadOnlyList<ColumnSchema> output)
    {
        Leaf = leaf;
        Operators = operators;
        Limit = limit;
        OutputSchema = output;
        _waiters = operators.OfType<IWaitsBeforeBatch>().ToArray();
        _partAggregate = PartAggregateOf(operators);
        _stats = new OperatorStats[operators.Count];
        for (var i = 0; i < _stats.Length; i++)
        {
            _stats[i] = new OperatorStats();
        }

        if (Analysis.Value is { } analyzed)
        {
            lock (analyzed)
            {
                analyzed.Add(this);
            }
        }
    }

    /// <summary>Rows in, rows out and time of one operator, summed over every batch it processed (all partitions sharing the pipeline).</summary>
    public sealed class OperatorStats
    {
        private long _rowsIn;
        private long _rowsOut;
        private long _ticks;

        public long RowsIn => Interlocked.Read(ref _rowsIn);

        public long RowsOut => Interlocked.Read(ref _rowsOut);

        public TimeSpan Elapsed => TimeSpan.FromSeconds(Interlocked.Read(ref _ticks) / (double)System.Diagnostics.Stopwatch.Frequency);

        internal void Add(long rowsIn, long rowsOut, long ticks)
        {
            Interlocked.Add(ref _rowsIn, rowsIn);
            Interlocked.Add(ref _rowsOut, rowsOut);
            Interlocked.Add(ref _ticks, ticks);
        }
    }

    private readonly OperatorStats[] _stats;
    private long _rowsIn;
    private long _recordsRead;

    /// <summary>Per operator (same order as <see cref="Operators"/>): rows in, rows out, time. Always counted: a few interlocked adds per batch.</summary>
    public IReadOnlyList<OperatorStats> Stats => _stats;

    /// <summary>Rows handed to the first operator (for a scan: the records that decoded).</summary>
    public long RowsIn => Interlocked.Read(ref _rowsIn);

    /// <summary>Source records read by the tasks running this pipeline (decoded or not).</summary>
    public long RecordsRead => Interlocked.Read(ref _recordsRead);

    public void CountRead(int records) => Interlocked.Add(ref _recordsRead, records);

    /// <summary>While set (EXPLAIN ANALYZE of a SELECT), every pipeline built in this async flow is added to the list.</summary>
    public static readonly AsyncLocal<List<PartitionPipeline>?> Analysis = new();

    private readonly IWaitsBeforeBatch[] _waiters;

    /// <summary>Where rows come from: a <see cref="LogicalScan"/> (a stream's partitions) or <see cref="LogicalValues"/>.</summary>
    public LogicalPlan Leaf { get; }

    /// <summary>The stream scanned; only valid when the leaf is a scan.</summary>
    public StreamDefinition Source => ((LogicalScan)Leaf).Source;

    /// <summary>The scan's columns the pipeline reads (null: all), from the optimizer's pruning.</summary>
    public IReadOnlyList<int>? ReadColumns => (Leaf as LogicalScan)?.ReadColumns;

    /// <summary>One line per physical step, for EXPLAIN.</summary>
    public IReadOnlyList<string> Describe()
    {
        if (Leaf is LogicalAggregate aggregate)
        {
            return [.. Build(aggregate.Input).Describe(), .. DescribeAbove()];
        }

        return DescribeAbove();
    }

    private IReadOnlyList<string> DescribeAbove()
    {
        var lines = new List<string>
        {
            Leaf switch
            {
                LogicalScan scan => $"PartitionTask × {scan.Source.Partitions} (read {scan.Source.ValueFormat.ToString().ToUpperInvariant()} records, decode {(scan.ReadColumns is null ? "all columns" : scan.ReadColumns.Count + " of " + scan.Source.Columns.Count + " columns")})",
                LogicalAggregate => "HashAggregate (in memory, over the finished input of a pull query)",
                LogicalStreamJoin j => $"StreamJoinTask × {j.Left.Source.Partitions} (merge {j.Left.Source.Name} and {j.Right.Source.Name} by time) → StreamStreamJoinOperator",
                LogicalValues => "ValuesSource",
                var consumerStep => consumerStep.GetType().Name.Replace("Logical", "", StringComparison.Ordinal) + " (at the consumer)",
            },
        };
        lines.AddRange(Operators.Select(o => "  → " + o.GetType().Name));
        if (Limit is { } limit)
        {
            lines.Add($"  → LimitAtConsumer ({limit} rows)");
        }

        return lines;
    }

    public IReadOnlyList<IBatchOperator> Operators { get; }

    /// <summary>Some operator's output depends on where batches end: a replay of a recorded range must read it as one batch.</summary>
    public bool OutputDependsOnBatches
    {
        get
        {
            foreach (var op in Operators)
            {
                if (op is StreamAggregateOperator { ConsolidatesOutput: true } or SessionAggregateOperator { ConsolidatesOutput: true })
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>LIMIT applies across partitions, so the consumer enforces it.</summary>
    public long? Limit { get; }

    public IReadOnlyList<ColumnSchema> OutputSchema { get; }

    /// <param name="carryRowTime">Append the input's ROWTIME after the output columns, so a sink can stamp output records with it.</param>
    /// <param name="onExpressionError">
    /// When given (persistent queries), an expression that fails on a row yields NULL for that row and reports the error here,
    /// as ksqlDB and RisingWave do; a failing filter condition drops the row. Without it the error ends the query.
    /// </param>
    /// <param name="tables">
    /// Resolves the tables a stream–table join looks up (push and persistent queries); without it such a join is a step at
    /// the consumer (pull queries run it as a nested loop).
    /// </param>
    public static PartitionPipeline Build(LogicalPlan plan, bool carryRowTime = false, Action<SqlException>? onExpressionError = null,
        Func<StreamDefinition, ITableLookup>? tables = null) =>
        Build(plan, carryRowTime, onExpressionError, null, tables);

    /// <summary>
    /// The pipeline of one partition task of a stateful query: a GROUP BY becomes a <see cref="StreamAggregateOperator"/>
    /// keeping its groups in store, and the rows it emits are a changelog (ops) of the groups.
    /// </summary>
    /// <param name="consolidate">CREATE TABLE ... WITH (consolidate='batch'): a GROUP BY emits each group once per batch.</param>
    /// <param name="sendsRetractions">
    /// The rows go to another aggregation (the inner stage of a nested aggregation over several partitions): the top
    /// aggregation sends each group's previous row before its new one, as one below another in the same pipeline does.
    /// </param>
    public static PartitionPipeline BuildStateful(LogicalPlan plan, IStateStore store, bool emitFinal, bool retractable, bool carryRowTime,
        Action<SqlException>? onExpressionError, Action<long>? onLate, Func<StreamDefinition, ITableLookup>? tables = null, bool consolidate = false,
        bool sendsRetractions = false) =>
        Build(plan, carryRowTime, onExpressionError, new StatefulContext(store, emitFinal, retractable, onLate, consolidate, StatefulNodes(plan), sendsRetractions), tables);

    /// <param name="operators">How many stateful operators the plan makes (aggregations, Top-N).</param>
    private sealed class StatefulContext(IStateStore store, bool emitFinal, bool retractable, Action<long>? onLate, bool consolidate, int operators,
        bool sendsRetractions)
    {
        private int _opened;

        public bool SendsRetractions => sendsRetractions;

        public bool EmitFinal => emitFinal;

        public bool Retractable => retractable;

        public Action<long>? OnLate => onLate;

        public bool Consolidate => consolidate;

        /// <summary>
        /// The store of the next stateful operator built: the whole store when it is the pipeline's only one (as it always
        /// was), else its own prefixed part of it (an aggregation over an aggregation), so their keys never meet.
        /// </summary>
        public IStateStore NextStore() => operators <= 1 ? store : new PrefixedStateStore(store, checked((byte)++_opened));
    }

    internal static int StatefulNodes(LogicalPlan plan)
    {
        var count = plan is LogicalAggregate or LogicalTopN ? 1 : 0;
        foreach (var input in plan.Inputs)
        {
            count += StatefulNodes(input);
        }

        return count;
    }

    [ThreadStatic]
    private static StatefulContext? _stateful;

    [ThreadStatic]
    private static Func<StreamDefinition, ITableLookup>? _tables;

    // While building: how many stateful operators (aggregations, Top-N) are above the operators being built.
    [ThreadStatic]
    private static int _statefulAbove;

    private static PartitionPipeline Build(LogicalPlan plan, bool carryRowTime, Action<SqlException>? onExpressionError, StatefulContext? stateful,
        Func<StreamDefinition, ITableLookup>? tables)
    {
        var operators = new List<IBatchOperator>();
        long? limit = null;
        _onExpressionError = onExpressionError;
        _stateful = stateful;
        _tables = tables;
        LogicalPlan leaf;
        try
        {
            leaf = Visit(plan, operators, ref limit, carryRowTime);
        }
        finally
        {
            _onExpressionError = null;
            _stateful = null;
            _tables = null;
        }

        return new PartitionPipeline(leaf, operators, limit, plan.Schema) { IsStateful = stateful is not null };
    }

    /// <summary>The input of a stateful operator (aggregation, Top-N): the stateful operators built in it send it retractions.</summary>
    private static LogicalPlan VisitBelowStateful(LogicalPlan input, List<IBatchOperator> operators, ref long? limit)
    {
        _statefulAbove++;
        try
        {
            return Visit(input, operators, ref limit, carryRowTime: false);
        }
        finally
        {
            _statefulAbove--;
        }
    }

    /// <summary>The streaming GROUP BY: what feeds it, then the operator itself (with HAVING folded in, so a group failing it is deleted).</summary>
    private static LogicalPlan VisitAggregate(LogicalAggregate aggregate, BoundExpression? having, List<IBatchOperator> operators, ref long? limit, bool carryRowTime)
    {
        var source = VisitBelowStateful(aggregate.Input, operators, ref limit);

        RejectInnerLimit(limit);
        // An aggregation over an aggregation: the one below sends each group's old row before its new one (it feeds
        // another group), and the one above takes them back out of its aggregates, as it would a table's changes.
        var context = _stateful!;
        var sendsRetractions = _statefulAbove > 0 || context.SendsRetractions;
        var takesRetractions = StatefulNodes(aggregate.Input) > 0;
        var keys = aggregate.Keys.Select(k => ExpressionCompiler.Compile(k, _onExpressionError)).ToArray();
        var arguments = aggregate.Aggregates.Select(a => a.Arguments.Select(x => ExpressionCompiler.Compile(x, _onExpressionError)).ToArray()).ToArray();
        var havingPredicate = having is null ? null : ExpressionCompiler.CompilePredicate(having, _onExpressionError);
        // A window's time column; else ROWTIME, so a group's output record carries the latest time of its input (as in ksqlDB).
        var eventTime = FindWindowAssign(aggregate.Input) is { } assign ? ExpressionCompiler.Compile(assign.Time, _onExpressionError) : RowTimeOf(aggregate.Input);
        if (aggregate.Window is { IsSliding: true })
        {
            if (sendsRetractions)
            {
                throw SqlException.NotSupported("an aggregation over a sliding window aggregation");
            }

            if (context.Retractable || takesRetractions)
            {
                throw SqlException.NotSupported("sliding windows over a table");
            }

            operators.Add(new SlidingAggregateOperator(aggregate, keys, arguments, havingPredicate, eventTime!, context.EmitFinal, context.NextStore(), context.OnLate));
            return source;
        }

        if (aggregate.Window is { IsSession: true })
        {
            if (sendsRetractions)
            {
                throw SqlException.NotSupported("an aggregation over a session window aggregation");
            }

            if (context.Retractable || takesRetractions)
            {
                throw SqlException.NotSupported("session windows over a table");
            }

            // The session aggregation reads a row's time itself and never its point window's bounds (it keys a row by
            // the other group keys), so unless an aggregate's argument reads them the rows need not be copied to carry them.
            if (aggregate.Input is LogicalWindowAssign sessionAssign && operators.Count > 0 && operators[^1] is WindowAssignOperator { HasFixedWindows: false }
                && !BoundExpressionRewriter.ReadsColumnFrom(aggregate.Aggregates.SelectMany(a => a.Arguments), sessionAssign.StartIndex))
            {
                operators.RemoveAt(operators.Count - 1);
            }

            operators.Add(new SessionAggregateOperator(aggregate, keys, arguments, havingPredicate, eventTime!, context.EmitFinal, context.NextStore(), context.OnLate, context.Consolidate));
            return source;
        }

        // Window assignment right below the aggregation is done by the aggregation itself: a row's windows are taken in
        // place instead of as a copy of the row per window (five per bid for a 10 s window sliding by 2 s).
        WindowAssignOperator? windows = null;
        if (aggregate.Input is LogicalWindowAssign && operators.Count > 0 && operators[^1] is WindowAssignOperator { HasFixedWindows: true } assigner)
        {
            windows = assigner;
            operators.RemoveAt(operators.Count - 1);
        }

        operators.Add(new StreamAggregateOperator(aggregate, keys, arguments, havingPredicate, eventTime, context.EmitFinal, context.Retractable || takesRetractions, context.NextStore(), context.OnLate,
            context.Consolidate, windows, sendsRetractions));
        return source;
    }

    /// <summary>
    /// The streaming Top-N: what feeds it, then the operator, with the outer WHERE's remaining conditions and the outer
    /// SELECT list folded in (an upsert changelog cannot be filtered or projected row by row: a slot's row failing the
    /// filter must delete the slot).
    /// </summary>
    private static LogicalPlan VisitTopN(LogicalTopN topN, BoundExpression? visible, LogicalProject output, List<IBatchOperator> operators, ref long? limit)
    {
        // Over an aggregation (a subquery in FROM), the aggregation sends each group's old row before its new one, and
        // the Top-N takes the old one out, as it does a table's retractions.
        var source = VisitBelowStateful(topN.Input, operators, ref limit);

        RejectInnerLimit(limit);
        var rowTime = -1;
        for (var i = 0; i < topN.Input.Schema.Count && rowTime < 0; i++)
        {
            if (topN.Input.Schema[i].Name == Planner.Catalog.Pseudocolumns.RowTime && topN.Input.Schema[i].Type.Kind == Planner.Types.SqlTypeKind.Timestamp)
            {
                rowTime = i;
            }
        }

        // A retraction removes the row equal in the table's columns (its pseudocolumns may differ from the stored row's).
        var identityWidth = 0;
        while (identityWidth < topN.Input.Schema.Count && !topN.Input.Schema[identityWidth].Hidden)
        {
            identityWidth++;
        }

        operators.Add(new TopNOperator(
            topN.PartitionKeys.Select(k => ExpressionCompiler.Compile(k, _onExpressionError)).ToArray(),
            topN.SortKeys.Select(k => ExpressionCompiler.Compile(k.Expression, _onExpressionError)).ToArray(),
            topN.SortKeys.Select(k => k.Expression.Type.Kind).ToArray(),
            topN.SortKeys.Select(k => k.Descending).ToArray(),
            topN.SortKeys.Select(k => k.NullsFirst).ToArray(),
            topN.Limit,
            topN.RankOutput,
            output.Expressions.Select(e => ExpressionCompiler.Compile(e, _onExpressionError)).ToArray(),
            visible is null ? null : ExpressionCompiler.CompilePredicate(visible, _onExpressionError),
            rowTime,
            _stateful!.NextStore(),
            _stateful.Retractable || StatefulNodes(topN.Input) > 0,
            identityWidth));
        return source;
    }

    private static Func<Value[], Value>? RowTimeOf(LogicalPlan input)
    {
        for (var i = 0; i < input.Schema.Count; i++)
        {
            if (input.Schema[i].Name == Planner.Catalog.Pseudocolumns.RowTime && input.Schema[i].Type.Kind == Planner.Types.SqlTypeKind.Timestamp)
            {
                var index = i;
                return row => row[index];
            }
        }

        return null;
    }

    private static LogicalWindowAssign? FindWindowAssign(LogicalPlan plan) => plan switch
    {
        LogicalWindowAssign w => w,
        LogicalFilter or LogicalProject => FindWindowAssign(plan.Inputs[0]),
        _ => null,
    };

    /// <summary>SELECT of every column of the aggregate below, in order, as they are (a persistent aggregation's usual form).</summary>
    private static bool IsIdentityOverAggregate(LogicalProject project)
    {
        if (project.Input is not LogicalAggregate aggregate || project.Expressions.Count != aggregate.Columns.Count)
        {
            return false;
        }

        for (var i = 0; i < project.Expressions.Count; i++)
        {
            if (project.Expressions[i] is not Planner.Bound.BoundColumn { Index: var index } || index != i)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Where the event time sits in the rows a project reads: after a stream's columns, or after an aggregate's (a join's left stream's).</summary>
    private static int RowTimeIndex(LogicalPlan input, LogicalPlan leaf) => input switch
    {
        LogicalAggregate a => a.Columns.Count,
        LogicalFilter { Input: LogicalAggregate a } => a.Columns.Count,
        _ => ((LogicalScan)leaf).Source.Columns.Count,
    };

    private static LogicalPlan Visit(LogicalPlan plan, List<IBatchOperator> operators, ref long? limit, bool carryRowTime)
    {
        switch (plan)
        {
            case LogicalFilter { Input: LogicalAggregate aggregate } having when _stateful is not null:
                return VisitAggregate(aggregate, having.Predicate, operators, ref limit, carryRowTime);
            case LogicalAggregate aggregate when _stateful is not null:
                return VisitAggregate(aggregate, null, operators, ref limit, carryRowTime);
            case LogicalProject { Input: LogicalTopN topN } output when _stateful is not null:
                return VisitTopN(topN, null, output, operators, ref limit);
            case LogicalProject { Input: LogicalFilter { Input: LogicalTopN topN } visible } output when _stateful is not null:
                return VisitTopN(topN, visible.Predicate, output, operators, ref limit);
            case LogicalTopN topN:
                throw SqlException.NotSupported(_stateful is null
                    ? "ROW_NUMBER() (a Top-N) outside CREATE TABLE ... AS SELECT"
                    : "a Top-N whose outer query is not a SELECT list over it");
            case LogicalLookupJoin join when _tables is not null:
                var streamSource = Visit(join.Left, operators, ref limit, carryRowTime);
                RejectInnerLimit(limit);
                if (streamSource is not LogicalScan)
                {
                    throw SqlException.NotSupported("a stream-table JOIN whose stream side is not a stream");
                }

                operators.Add(new StreamTableJoinOperator(_tables(join.Table), ExpressionCompiler.Compile(join.LeftKey, _onExpressionError),
                    join.Residual is null ? null : ExpressionCompiler.CompilePredicate(join.Residual, _onExpressionError),
                    keepUnmatched: join.Kind == Parser.Ast.JoinKind.Left, join.Left.Schema.Count, join.Right.Schema.Count,
                    timeIndex: ((LogicalScan)streamSource).Source.Columns.Count));
                return streamSource;
            case LogicalScan or LogicalValues or LogicalLookupJoin or LogicalStreamJoin or LogicalTableJoin or LogicalAggregate or LogicalSort or LogicalDistinct or LogicalSetOperation or LogicalOffset or LogicalJoin:
                // Sources, and steps that run at the consumer: the operators above them apply to their output.
                return plan;
            case LogicalFilter filter:
                var source = Visit(filter.Input, operators, ref limit, carryRowTime);
                RejectInnerLimit(limit);
                operators.Add(new FilterOperator(ExpressionCompiler.CompilePredicate(filter.Predicate, _onExpressionError)));
                return source;
            case LogicalProject project:
                var s = Visit(project.Input, operators, ref limit, carryRowTime);
                RejectInnerLimit(limit);
                if (carryRowTime && _stateful is not null && IsIdentityOverAggregate(project))
                {
                    // The aggregate's output rows (columns, then the event time) are already the projection's: no copy per row.
                    return s;
                }

                var expressions = project.Expressions.Select(e => ExpressionCompiler.Compile(e, _onExpressionError)).ToList();
                var columns = project.Expressions.Select(e => e is BoundColumn column ? column.Index : -1).ToList();
                if (carryRowTime && s is LogicalStreamJoin or LogicalTableJoin)
                {
                    // A joined row happened when the later of its two rows did (Kafka Streams); a padded row when its one row did.
                    var (leftScan, rightScan) = s is LogicalStreamJoin streamJoin ? (streamJoin.Left, streamJoin.Right) : (((LogicalTableJoin)s).Left, ((LogicalTableJoin)s).Right);
                    var (l, r) = (leftScan.Source.Columns.Count, leftScan.Schema.Count + rightScan.Source.Columns.Count);
                    expressions.Add(row => row[l].IsNull || (!row[r].IsNull && row[r].AsLong > row[l].AsLong) ? row[r] : row[l]);
                    columns.Add(-1);
                }
                else if (carryRowTime)
                {
                    var rowTime = RowTimeIndex(project.Input, s);
                    expressions.Add(row => row[rowTime]);
                    columns.Add(rowTime);
                }

                operators.Add(new ProjectOperator([.. expressions], [.. columns]));
                return s;
            case LogicalWindowAssign window:
                var windowSource = Visit(window.Input, operators, ref limit, carryRowTime);
                RejectInnerLimit(limit);
                operators.Add(new WindowAssignOperator(window.Function, ExpressionCompiler.Compile(window.Time, _onExpressionError), window.SizeMicros, window.StepMicros));
                return windowSource;
            case LogicalLimit l:
                var src = Visit(l.Input, operators, ref limit, carryRowTime);
                limit = limit is { } inner ? Math.Min(inner, l.Count) : l.Count;
                return src;
            default:
                throw SqlException.NotSupported(plan.GetType().Name);
        }
    }

    [ThreadStatic]
    private static Action<SqlException>? _onExpressionError;

    // The consumer enforces LIMIT after every operator, so a LIMIT below another operator cannot be honoured yet.
    private static void RejectInnerLimit(long? limit)
    {
        if (limit is not null)
        {
            throw SqlException.NotSupported("LIMIT in a subquery");
        }
    }

    /// <summary>The pipeline keeps state (a streaming GROUP BY); batches from several tasks then take turns.</summary>
    public bool IsStateful { get; private init; }

    /// <summary>
    /// Session windows gain from batches four times the usual size (each batch saves and emits every session it extends,
    /// and a bidder's session spans many batches): q11 0.11-0.17 -> 0.24-0.27 of the baseline. Other stateful queries lost
    /// with them (q17 -17-30%, q19 -35%: more of each batch survives collections), so only these take them.
    /// </summary>
    public bool TakesLargeBatches => Operators.Any(o => o is Aggregation.SessionAggregateOperator);
    /// <summary>Lets the operators that need it wait before a batch read from the source is processed (see <see cref="IWaitsBeforeBatch"/>).</summary>
    public ValueTask BeforeBatchAsync(CancellationToken cancellationToken) =>
        _waiters.Length == 0 ? ValueTask.CompletedTask : WaitAllAsync(cancellationToken);

    private async ValueTask WaitAllAsync(CancellationToken cancellationToken)
    {
        foreach (var waiter in _waiters)
        {
            await waiter.BeforeBatchAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The index of a streaming GROUP BY (<see cref="IAggregatesInParts"/>) that only stateless operators (filters,
    /// projections, window assignment) feed, so that its input can come in parts (<see cref="ProcessInParts"/>); -1 when
    /// there is none.
    /// </summary>
    private static int PartAggregateOf(IReadOnlyList<IBatchOperator> operators)
    {
        for (var i = 0; i < operators.Count; i++)
        {
            switch (operators[i])
            {
                case IAggregatesInParts:
                    return i;
                case FilterOperator or ProjectOperator or WindowAssignOperator:
                    continue;
                default:
                    return -1;
            }
        }

        return -1;
    }

    /// <summary>Whether <see cref="ProcessInParts"/> can take this pipeline's batches.</summary>
    public bool TakesBatchesInParts => _partAggregate >= 0;

    /// <summary>
    /// Once <see cref="Process"/> has run, nothing holds the batch's input row arrays: the pipeline keeps no state and
    /// projects every row into a new array, so the output never passes an input array through.
    /// </summary>
    public bool ReleasesInputRows => !IsStateful && ProjectsEveryRow(Operators);

    private static bool ProjectsEveryRow(IReadOnlyList<IBatchOperator> operators)
    {
        var projects = false;
        foreach (var op in operators)
        {
            switch (op)
            {
                case ProjectOperator:
                    projects = true;
                    break;
                case FilterOperator:
                    break;
                default:
                    return false;
            }
        }

        return projects;
    }

    /// <summary>
    /// Once <see cref="ProcessInParts"/> has taken a part, nothing holds that part's input row arrays: the stateless
    /// operators before the aggregation keep nothing, and the aggregation copies what it keeps.
    /// </summary>
    public bool ReleasesPartRows => _partAggregate >= 0 && !((IAggregatesInParts)Operators[_partAggregate]).KeepsInputRows;

    private readonly int _partAggregate;

    /// <summary>
    /// Processes one batch whose input arrives in parts: fill puts the next part's rows into the batch it is given and
    /// returns false when there are no more. Each part goes through the operators up to the aggregation, which takes its
    /// rows; the aggregation's output for the whole batch then goes through the rest into output. The result is that of
    /// <see cref="Process"/> over all the parts as one batch, but only one part's input rows are alive at a time: they
    /// are still in the cache when the aggregation reads them, and a collection during the batch does not promote them.
    /// </summary>
    public void ProcessInParts(Func<RowBatch, bool> fill, RowBatch output)
    {
        var at = _partAggregate;
        var aggregate = (IAggregatesInParts)Operators[at];
        var part = new RowBatch { Partition = output.Partition, EndOffset = output.EndOffset };
        output.Clear();
        lock (Operators)
        {
            aggregate.BeginBatch();
            long rowsIn = 0;
            long ticks = 0;
            while (fill(part))
            {
                Interlocked.Add(ref _rowsIn, part.Count);
                for (var i = 0; i < at && part.Count > 0; i++)
                {
                    RunOperator(i, part);
                }

                var accumulating = System.Diagnostics.Stopwatch.GetTimestamp();
                rowsIn += part.Count;
                aggregate.Accumulate(part, output);
                ticks += System.Diagnostics.Stopwatch.GetTimestamp() - accumulating;
                part.Clear();
            }

            var ending = System.Diagnostics.Stopwatch.GetTimestamp();
            aggregate.EndBatch(output);
            _stats[at].Add(rowsIn, output.Count, ticks + System.Diagnostics.Stopwatch.GetTimestamp() - ending);
            for (var i = at + 1; i < Operators.Count; i++)
            {
                RunOperator(i, output);
            }
        }
    }

    public void Process(RowBatch batch)
    {
        if (IsStateful)
        {
            lock (Operators)
            {
                ProcessBatch(batch);
            }

            return;
        }

        ProcessBatch(batch);
    }

    private void ProcessBatch(RowBatch batch)
    {
        Interlocked.Add(ref _rowsIn, batch.Count);
        for (var i = 0; i < Operators.Count; i++)
        {
            // A stateful operator may emit on an empty batch (windows closing), so only stateless pipelines stop early.
            if (batch.Count == 0 && !IsStateful)
            {
                return;
            }

            RunOperator(i, batch);
        }
    }

    /// <summary>Operator i over batch, counted in its stats (rows in, rows out, time).</summary>
    private void RunOperator(int i, RowBatch batch)
    {
        var rowsIn = batch.Count;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Operators[i].Process(batch);
        _stats[i].Add(rowsIn, batch.Count, System.Diagnostics.Stopwatch.GetTimestamp() - started);
    }

    /// <summary>
    /// EXPLAIN ANALYZE: the <see cref="Describe"/> lines of this step with, for each, the summed counts of the given pipelines
    /// (the partitions of one query, all built from the same plan). The leaf's rows out are the first operator's rows in.
    /// </summary>
    public static IReadOnlyList<string> DescribeAnalyzed(IReadOnlyList<PartitionPipeline> pipelines)
    {
        var first = pipelines[0];
        var lines = first.DescribeAbove().ToList();
        var rowsIn = pipelines.Sum(p => p.RowsIn);
        var read = pipelines.Sum(p => p.RecordsRead);
        lines[0] += first.Leaf is LogicalScan
            ? $" [records read={read}, rows out={rowsIn}]"
            : $" [rows out={rowsIn}]";
        for (var i = 0; i < first.Operators.Count; i++)
        {
            var rowsInOp = pipelines.Sum(p => p._stats[i].RowsIn);
            var rowsOut = pipelines.Sum(p => p._stats[i].RowsOut);
            var ms = pipelines.Sum(p => p._stats[i].Elapsed.TotalMilliseconds);
            lines[i + 1] += FormattableString.Invariant($" [rows in={rowsInOp}, rows out={rowsOut}, time={ms:0.###} ms]");
        }

        return lines;
    }
}
