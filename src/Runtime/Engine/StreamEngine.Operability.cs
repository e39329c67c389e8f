using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Explain;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Engine;

/// <summary>EXPLAIN ANALYZE (per-operator counts) and RESTART QUERY (a FAILED query started again from its definition).</summary>
public sealed partial class StreamEngine
{
    /// <summary>Adds a running query to the engine, with its latency histogram when the server measures latencies.</summary>
    private void Track(string queryId, PersistentQuery query)
    {
        query.Metrics.LatencyObserver = Options.QueryLatencyObserver?.Invoke(queryId);
        query.Metrics.ProcessingLatencyObserver = Options.QueryProcessingLatencyObserver?.Invoke(queryId);
        _running[queryId] = query;
    }

    /// <summary>EXPLAIN ANALYZE query_id: the physical steps of a running persistent query with their counts since it started.</summary>
    private RowsResult ExplainAnalyzeQuery(ExplainAnalyzeQueryStatement explain)
    {
        var definition = Catalog.FindQuery(explain.QueryId)
            ?? throw new SqlException(SqlState.UndefinedObject, $"query \"{explain.QueryId}\" does not exist", explain.Position);
        PersistentQuery? query;
        var stages = new List<PersistentQuery>();
        lock (_running)
        {
            _running.TryGetValue(definition.Id, out query);
            foreach (var stageId in AllStageIds(definition.Id))
            {
                if (_running.TryGetValue(stageId, out var stage))
                {
                    stages.Add(stage);
                }
            }
        }

        if (query is null)
        {
            throw new SqlException(SqlState.ObjectNotInPrerequisiteState, $"query \"{definition.Id}\" is not running", explain.Position);
        }

        var lines = new List<string> { $"Query {definition.Id} ({query.Status}) writing {definition.SinkName}" };
        var overJoin = ContainsJoin(definition.Plan) && Planner.Binder.WindowColumns.FindAggregate(definition.Plan) is null;
        for (var i = 0; i < stages.Count; i++)
        {
            var stageId = stages[i].Definition.Id;
            var joinsThenAggregates = !overJoin && stageId == RepartitionId(definition.Id) && ContainsJoin(definition.Plan);
            var innerAggregation = stageId == InnerAggregationId(definition.Id);
            var side = stageId == SideAggregationId(definition.Id, left: true) ? "left" : stageId == SideAggregationId(definition.Id, left: false) ? "right" : null;
            var step = side is not null ? $"aggregation of the {side} subquery over {stages[i].Definition.SourceName}, its changes to an internal table keyed by the group key"
                : IsSideStage(definition.Id, stageId) ? $"repartition {stages[i].Definition.SourceName} by the group key"
                : overJoin || JoinRekeyIds(definition.Id).Contains(stageId) ? $"repartition {stages[i].Definition.SourceName} by the join key"
                : joinsThenAggregates ? "join, keyed by the group key"
                : innerAggregation && PartitionPipeline.StatefulNodes(stages[i].Definition.Plan) > 1
                    ? "inner aggregation and the outer one over this partition's groups, its partial results keyed by the outer group key"
                : innerAggregation ? "inner aggregation, its changes keyed by the outer group key"
                : "repartition by the group key";
            lines.Add($"Stage {i + 1}: {step}");
            lines.AddRange(PartitionPipeline.DescribeAnalyzed(stages[i].Pipelines).Select(l => "  " + l));
            lines.Add($"    → write {stages[i].Metrics.RecordsOut} rows to the {(side is not null ? side + " table" : joinsThenAggregates ? "join" : innerAggregation ? "inner aggregation" : "repartition")} topic");
        }

        if (stages.Count > 0)
        {
            lines.Add($"Stage {stages.Count + 1}: {(overJoin ? "join" : TopNOf(definition.Plan) is not null ? "Top-N" : "aggregate")}");
        }

        lines.AddRange(PartitionPipeline.DescribeAnalyzed(query.Pipelines).Select(l => "  " + l));
        lines.Add($"    → write {query.Metrics.RecordsOut} rows to {definition.SinkName}");
        lines.Add($"Records read: {query.Metrics.RecordsIn}, bad records: {query.Metrics.BadRecords}, expression errors: {query.Metrics.ExpressionErrors}, lag: {query.Lag().Sum()}");
        if (query.ReplayedAtStart > 0)
        {
            lines.Add($"Counts include {query.ReplayedAtStart} records replayed at start to restore state");
        }

        return Rows(["QUERY PLAN"], lines.Select(l => Row(l)));
    }

    /// <summary>
    /// EXPLAIN ANALYZE SELECT ...: runs the pull query to completion, discarding its rows, then prints its plan with each
    /// physical step's rows in, rows out and time.
    /// </summary>
    private async Task<RowsResult> ExplainAnalyzeSelectAsync(ExplainStatement explain, IParameterSource? parameters, CancellationToken cancellationToken)
    {
        if (explain.Statement is not SelectStatement select)
        {
            throw SqlException.NotSupported("EXPLAIN ANALYZE of " + explain.Statement.GetType().Name.Replace("Statement", "", StringComparison.Ordinal).ToUpperInvariant()
                + " (EXPLAIN ANALYZE takes a SELECT or the id of a running persistent query)", explain.Statement.Position);
        }

        if (select.Query.Emit != EmitMode.None)
        {
            throw SqlException.NotSupported("EXPLAIN ANALYZE of a push query (EMIT CHANGES never completes); use EXPLAIN ANALYZE <query id> for a persistent query", explain.Position);
        }

        var pipelines = new List<PartitionPipeline>();
        var previous = PartitionPipeline.Analysis.Value;
        PartitionPipeline.Analysis.Value = pipelines;
        long rows = 0;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Planner.Binder.BoundQuery bound;
        try
        {
            bound = BindAndOptimize(select.Query, parameters);
            await foreach (var _ in Execute(bound.Plan, push: false, fromLatest: false, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                rows++;
            }
        }
        finally
        {
            PartitionPipeline.Analysis.Value = previous;
        }

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var lines = PlanPrinter.Print(bound.Plan).ToList();
        lines.Add("Physical (analyzed, in data-flow order):");
        // Pipelines are built outermost first; data flows from the innermost.
        for (var i = pipelines.Count - 1; i >= 0; i--)
        {
            lines.AddRange(PartitionPipeline.DescribeAnalyzed([pipelines[i]]).Select(l => "  " + l));
        }

        lines.Add(FormattableString.Invariant($"Rows returned: {rows} (discarded), execution time: {elapsed.TotalMilliseconds:0.###} ms"));
        return Rows(["QUERY PLAN"], lines.Select(l => Row(l)));
    }

    /// <summary>
    /// RESTART QUERY id: stops the query (whatever its status) and creates it again from its definition in the catalog, as a
    /// server restart would: it resumes from its committed offsets, a stateful query from its last checkpoint.
    /// </summary>
    private async Task<StatementResult> RestartQueryAsync(RestartQueryStatement restart, SessionContext session, CancellationToken cancellationToken)
    {
        var definition = Catalog.FindQuery(restart.QueryId)
            ?? throw new SqlException(SqlState.UndefinedObject, $"query \"{restart.QueryId}\" does not exist", restart.Position);
        var id = definition.Id;
        PersistentQuery? running;
        var stages = new List<PersistentQuery>();
        lock (_running)
        {
            _running.Remove(id, out running);
            foreach (var stageId in AllStageIds(id))
            {
                if (_running.Remove(stageId, out var stage))
                {
                    stages.Add(stage);
                }
            }
        }

        var previousStatus = running?.Status ?? "UNKNOWN";
        if (running is not null)
        {
            await running.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var stage in stages)
        {
            await stage.DisposeAsync().ConfigureAwait(false);
        }

        var sink = Catalog.FindStream(definition.SinkName);
        Catalog.RemoveQuery(id);
        if (sink is not null)
        {
            Catalog.RemoveStream(sink.Name);
            await StopTableAsync(sink.Name).ConfigureAwait(false);
        }

        // Re-applied as at replay: not logged again, offsets and state kept.
        _replaying = true;
        try
        {
            await ApplyAsync(SqlParser.ParseOne(definition.Sql), session, id, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (Catalog.FindQuery(id) is null)
            {
                Catalog.AddQuery(definition);
            }

            if (sink is not null && Catalog.FindStream(sink.Name) is null)
            {
                Catalog.AddStream(sink);
            }

            throw;
        }
        finally
        {
            _replaying = false;
        }

        stages.Clear();
        lock (_running)
        {
            _running.TryGetValue(id, out running);
            foreach (var stageId in AllStageIds(id))
            {
                if (_running.TryGetValue(stageId, out var stage))
                {
                    stages.Add(stage);
                }
            }
        }

        foreach (var stage in stages)
        {
            stage.Start();
        }

        running?.Start();
        Log.Information("Restarted query {QueryId} (was {Status})", id, previousStatus);
        return new CommandResult("RESTART QUERY");
    }
}
