using Serilog;
using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Rules;
using StreamSql.Runtime.Expressions;
using StreamSql.Runtime.Queries;
using StreamSql.Runtime.Topics;
using StreamSql.Runtime.Topics.Embedded;
using StreamSql.Runtime.Topics.Kafka;

namespace StreamSql.Runtime.Engine;

/// <summary>The one facade sessions use: executes statements against the catalog, topics and running queries.</summary>
public sealed partial class StreamEngine : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<StreamEngine>();
    private readonly SemaphoreSlim _ddlGate = new(1, 1);
    private readonly Dictionary<string, PersistentQuery> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tables.TableState> _tables = new(StringComparer.Ordinal);
    private readonly CommandLog _commandLog;
    private readonly ErrorTopic _errorTopic;
    private readonly string _queriesDirectory;
    private readonly bool _syncWrites;

    /// <summary>
    /// A query's committed offsets and output intent under queries/&lt;id&gt;, written as durably as --fsync says; in Kafka mode
    /// it opens the query's transactional output (transactional.id and consumer group streamsql-&lt;service id&gt;-&lt;query id&gt;).
    /// </summary>
    private OffsetStore OffsetsOf(string queryId) =>
        new(Path.Combine(_queriesDirectory, queryId), _syncWrites, () => Topics.OpenTransactionalOutput($"streamsql-{Options.ServiceId}-{queryId}"));
    private bool _replaying;

    private StreamEngine(EngineOptions options, ITopicStore topics)
    {
        Options = options;
        StoredTopics = topics;
        Topics = new OverlayTopicStore(topics);
        _commandLog = new CommandLog(topics, options.InternalTopic("command_log"));
        _errorTopic = new ErrorTopic(topics, options.InternalTopic("errors"));
        _queriesDirectory = Path.Combine(options.DataDirectory, "queries");
        _syncWrites = options.SyncWrites;
        StateStores = new State.FasterStateStoreProvider(Path.Combine(options.DataDirectory, "state"), options.StateMemoryBytes, options.SyncWrites);
    }

    /// <summary>Where stateful operators and table materializations keep keyed state.</summary>
    public State.IStateStoreProvider StateStores { get; }

    public EngineOptions Options { get; }

    public CatalogStore Catalog { get; } = new();

    /// <summary>Every topic the engine reads and writes: the stored ones and process-only ones (generated sources).</summary>
    public OverlayTopicStore Topics { get; }

    /// <summary>The topics in the store (embedded or Kafka): what Kafka clients see.</summary>
    public ITopicStore StoredTopics { get; }

    /// <summary>Opens the data directory, replays the command log and resumes every persistent query from its committed offsets.</summary>
    public static async Task<StreamEngine> OpenAsync(EngineOptions options, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(options.DataDirectory);
        ITopicStore topics = options.KafkaBootstrapServers is { } servers ? new KafkaTopicStore(servers) : new EmbeddedTopicStore(options.DataDirectory, options.SyncWrites);
        var engine = new StreamEngine(options, topics);
        await engine.ReplayAsync(cancellationToken).ConfigureAwait(false);
        return engine;
    }

    private async Task ReplayAsync(CancellationToken cancellationToken)
    {
        var commands = _commandLog.ReadAll();
        _replaying = true;
        try
        {
            var session = new SessionContext();
            foreach (var command in commands)
            {
                var statement = SqlParser.ParseOne(command.Sql);
                try
                {
                    await ApplyAsync(statement, session, command.QueryId, cancellationToken).ConfigureAwait(false);
                }
                catch (SqlException e)
                {
                    // A statement that was valid when logged should replay; if it does not, say so and keep the rest.
                    Log.Error("Command log entry {Sql} failed to replay: {Error}", command.Sql, e.Message);
                }
            }
        }
        finally
        {
            _replaying = false;
        }

        foreach (var query in _running.Values)
        {
            query.Start();
        }

        Log.Information("Replayed {Commands} catalog commands: {Streams} streams, {Queries} persistent queries",
            commands.Count, Catalog.Streams().Count, _running.Count);
    }

    public Task<StatementResult> ExecuteAsync(Statement statement, SessionContext session, CancellationToken cancellationToken) =>
        ExecuteAsync(statement, session, null, cancellationToken);

    /// <summary>Executes a statement; parameters give the values of $1, $2, ... (extended query protocol), null when there are none.</summary>
    public async Task<StatementResult> ExecuteAsync(Statement statement, SessionContext session, ParameterValues? parameters, CancellationToken cancellationToken)
    {
        var kind = StatementCounts.KindOf(statement);
        try
        {
            var result = await ExecuteStatementAsync(statement, session, parameters, cancellationToken).ConfigureAwait(false);
            Statements.Count(kind, ok: true);
            return result;
        }
        catch
        {
            Statements.Count(kind, ok: false);
            throw;
        }
    }

    /// <summary>Statements executed so far, by kind and outcome (for /metrics).</summary>
    public StatementCounts Statements { get; } = new();

    private async Task<StatementResult> ExecuteStatementAsync(Statement statement, SessionContext session, ParameterValues? parameters, CancellationToken cancellationToken)
    {
        switch (statement)
        {
            case SelectStatement select:
                return Select(select.Query, session, parameters);
            case CopyToStatement copy:
                // The server sends these rows as COPY data.
                return Select(copy.Query, session, parameters);
            case InsertValuesStatement insert:
                return await InsertAsync(insert, parameters, cancellationToken).ConfigureAwait(false);
            case ShowObjectsStatement show:
                return Show(show);
            case ShowSettingStatement show:
                return ShowSetting(show, session);
            case SetStatement set:
                return SetSetting(set, session);
            case ResetStatement reset:
                return ResetSetting(reset, session);
            case DescribeStatement describe:
                return Describe(describe);
            case ExplainStatement { Analyze: true } explain:
                return await ExplainAnalyzeSelectAsync(explain, parameters, cancellationToken).ConfigureAwait(false);
            case ExplainStatement explain:
                return Explain(explain, parameters);
            case ExplainAnalyzeQueryStatement explainQuery:
                return ExplainAnalyzeQuery(explainQuery);
            case RestartQueryStatement restart:
                await _ddlGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await RestartQueryAsync(restart, session, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _ddlGate.Release();
                }

            case PrintStatement print:
                return Print(print);
            case FlushStatement:
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                return new CommandResult("FLUSH");
            case CreateRelationStatement or DropStatement or TerminateStatement or CreateViewStatement { Materialized: true }:
                await _ddlGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await ApplyAsync(statement, session, null, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _ddlGate.Release();
                }

            case DescribeFunctionStatement describeFunction:
                return DescribeFunction(describeFunction);
            case CreateConnectorStatement connector:
                throw SqlException.NotSupported(connector.IsSink ? "CREATE SINK" : "CREATE SOURCE", connector.Position);
            case UpdateStatement update:
                return await UpdateAsync(update, parameters, cancellationToken).ConfigureAwait(false);
            case DeleteStatement delete:
                return await DeleteAsync(delete, parameters, cancellationToken).ConfigureAwait(false);
            case SubscribeStatement subscribe:
                return Select(SubscribeQuery(subscribe), session, parameters);
            case CreateViewStatement view:
                throw SqlException.NotSupported(view.Materialized ? "CREATE MATERIALIZED VIEW" : "CREATE VIEW", view.Position);
            case InsertSelectStatement insertSelect:
                throw SqlException.NotSupported("INSERT INTO ... SELECT", insertSelect.Position);
            default:
                throw SqlException.NotSupported(statement.GetType().Name, statement.Position);
        }
    }

    private static Query SubscribeQuery(SubscribeStatement subscribe) =>
        subscribe.Properties.Count > 0 ? throw SqlException.NotSupported("SUBSCRIBE ... WITH options", subscribe.Properties[0].Position) : subscribe.AsPushQuery();

    /// <summary>Applies a DDL statement; outside replay an accepted statement is appended to the command log.</summary>
    private async Task<StatementResult> ApplyAsync(Statement statement, SessionContext session, string? loggedQueryId, CancellationToken cancellationToken) =>
        statement switch
        {
            CreateRelationStatement { AsQuery: null } create => await CreateStreamAsync(create, cancellationToken).ConfigureAwait(false),
            CreateRelationStatement { Kind: RelationKind.Table } create => await CreateTableAsSelectAsync(create.Name, RelationKind.Table, create.IfNotExists, create.Properties,
                create.AsQuery!, create, loggedQueryId, cancellationToken).ConfigureAwait(false),
            CreateViewStatement { Materialized: true } view => await CreateTableAsSelectAsync(view.Name, RelationKind.MaterializedView, view.IfNotExists, view.Properties,
                view.Query, view, loggedQueryId, cancellationToken).ConfigureAwait(false),
            CreateRelationStatement create => await CreateStreamAsSelectAsync(create, session, loggedQueryId, cancellationToken).ConfigureAwait(false),
            DropStatement drop => await DropAsync(drop, cancellationToken).ConfigureAwait(false),
            TerminateStatement terminate => await TerminateAsync(terminate, cancellationToken).ConfigureAwait(false),
            _ => throw SqlException.NotSupported(statement.GetType().Name, statement.Position),
        };

    private Task LogAsync(Statement statement, string? queryId, CancellationToken cancellationToken) =>
        _replaying ? Task.CompletedTask : _commandLog.AppendAsync(new LoggedCommand(statement.Text, queryId), cancellationToken);

    private static readonly Optimizer PlanOptimizer = new(ConstantEvaluator.Instance);

    /// <summary>Binds a query and runs the optimizer over its plan; pull queries may run uncorrelated subqueries while binding.</summary>
    private BoundQuery BindAndOptimize(Query query, IParameterSource? parameters = null)
    {
        var bound = QueryBinder.Bind(query, Catalog, query.Emit == EmitMode.None ? new SubqueryRunner(this, parameters) : null, parameters);
        return bound with { Plan = PlanOptimizer.Optimize(bound.Plan) };
    }

    /// <summary>Runs a subquery to completion as a pull query and hands its rows to the binder as constants.</summary>
    private sealed class SubqueryRunner(StreamEngine engine, IParameterSource? parameters) : ISubqueryEvaluator
    {
        public (IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows) Evaluate(Query query)
        {
            var bound = engine.BindAndOptimize(query, parameters);
            var rows = new List<object?[]>();
            var enumerator = engine.Execute(bound.Plan, push: false, fromLatest: false, CancellationToken.None).GetAsyncEnumerator();
            try
            {
                while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    rows.Add(enumerator.Current.Take(bound.Columns.Count).Select(ConstantEvaluator.ToConstant).ToArray());
                }
            }
            finally
            {
                enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            return (bound.Columns, rows);
        }
    }

    /// <summary>Returns once every persistent query has processed every record its source held when FLUSH began (repeated for chains of queries).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < 100; round++)
        {
            List<PersistentQuery> queries;
            lock (_running)
            {
                queries = [.. _running.Values];
            }

            foreach (var query in queries)
            {
                await query.WaitForAsync(query.SourceEndOffsets(), cancellationToken).ConfigureAwait(false);
            }

            // A table whose materialization has not started (it starts on first use) has nothing to catch up.
            var tables = AllTables().FindAll(t => t.IsStarted);
            foreach (var table in tables)
            {
                await table.CatchUpAsync(cancellationToken).ConfigureAwait(false);
            }

            if (queries.TrueForAll(q => q.Status != "RUNNING" || q.IsCaughtUp()) && tables.TrueForAll(t => t.IsCaughtUp()))
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<PersistentQuery> queries;
        lock (_running)
        {
            queries = [.. _running.Values];
            _running.Clear();
        }

        foreach (var query in queries)
        {
            await query.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var table in AllTables())
        {
            await table.DisposeAsync().ConfigureAwait(false);
        }

        Topics.Dispose();
        _ddlGate.Dispose();
        Log.Information("Engine closed");
    }
}
