using System.Net.Sockets;
using System.Text;
using Serilog;
using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Pg;

/// <summary>One client connection: startup, then the simple and extended query protocols against the engine facade.</summary>
public sealed partial class PgConnection
{
    private static readonly ILogger Log = Serilog.Log.ForContext<PgConnection>();

    private readonly PgSocketStream? _socketStream;
    private readonly StreamEngine _engine;
    private readonly PgSessionRegistry _registry;
    private readonly PgServerSettings _settings;
    private readonly SessionContext _session = new();
    private readonly PgTransactions _transactions = new();
    private readonly CancellationToken _serverStopping;
    private readonly string _remote;
    private Stream _stream;
    private PgReader _reader;
    private PgWriter _writer;
    private CancellationTokenSource? _currentQuery;
    private volatile bool _cancelRequested;
    private volatile bool _clientGone;

    /// <param name="stream">The client's byte stream; a <see cref="PgSocketStream"/> is also watched for the client going away while a query streams.</param>
    public PgConnection(Stream stream, string remote, StreamEngine engine, PgSessionRegistry registry, PgServerSettings settings, CancellationToken serverStopping)
    {
        _stream = stream;
        _socketStream = stream as PgSocketStream;
        _engine = engine;
        _registry = registry;
        _settings = settings;
        _reader = new PgReader(stream);
        _writer = new PgWriter(stream);
        _serverStopping = serverStopping;
        _remote = remote;
    }

    public int ProcessId { get; private set; }

    public int SecretKey { get; private set; }

    public string User { get; private set; } = "";

    /// <summary>Cancels the statement running now, if any (CancelRequest from another connection).</summary>
    public void CancelCurrentQuery()
    {
        _cancelRequested = true;
        try
        {
            _currentQuery?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async Task RunAsync()
    {
        try
        {
            if (!await StartupAsync().ConfigureAwait(false))
            {
                return;
            }

            while (!_serverStopping.IsCancellationRequested)
            {
                var message = await _reader.ReadMessageAsync(_serverStopping).ConfigureAwait(false);
                if (message is null || message.Value.Code == FrontendMessageCode.Terminate)
                {
                    return;
                }

                await HandleAsync(message.Value.Code, message.Value.Body).ConfigureAwait(false);
            }
        }
        catch (PgProtocolException e)
        {
            Log.Warning("Closing connection {ProcessId} from {Remote}: protocol violation: {Reason}", ProcessId, _remote, e.Message);
            await TrySendFatalAsync(PgError.From(e, cancelled: false)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Client went away or the server is stopping: nothing to answer.
            Log.Debug("Connection {ProcessId} from {Remote} ended: {Reason}", ProcessId, _remote, e.Message);
        }
        catch (Exception e)
        {
            Log.Error(e, "Closing connection {ProcessId} from {Remote} after an internal error", ProcessId, _remote);
            await TrySendFatalAsync(PgError.From(e, cancelled: false) with { Severity = "FATAL" }).ConfigureAwait(false);
        }
        finally
        {
            if (ProcessId != 0)
            {
                _registry.Unregister(ProcessId);
            }

            await CloseAllPortalsAsync().ConfigureAwait(false);
            await CloseCursorsAsync(holdable: true).ConfigureAwait(false);
            _reader.Dispose();
            _writer.Dispose();
        }
    }

    private Task HandleAsync(FrontendMessageCode code, ReadOnlyMemory<byte> body) => code switch
    {
        FrontendMessageCode.Query => SimpleQueryAsync(ReadQueryText(body.Span)),
        FrontendMessageCode.Parse => ExtendedAsync(() => ParseMessage(body)),
        FrontendMessageCode.Bind => ExtendedAsync(() => BindMessageAsync(body)),
        FrontendMessageCode.Describe => ExtendedAsync(() => DescribeMessage(body)),
        FrontendMessageCode.Execute => ExtendedAsync(() => ExecuteMessageAsync(body)),
        FrontendMessageCode.Close => ExtendedAsync(() => CloseMessageAsync(body)),
        FrontendMessageCode.Sync => SyncAsync(),
        FrontendMessageCode.Flush => _writer.FlushAsync(_serverStopping).AsTask(),
        FrontendMessageCode.CopyData or FrontendMessageCode.CopyDone or FrontendMessageCode.CopyFail => Task.CompletedTask,
        _ => throw new PgProtocolException($"invalid frontend message type {(byte)code}"),
    };

    private static string ReadQueryText(ReadOnlySpan<byte> body)
    {
        var end = body.IndexOf((byte)0);
        return end < 0 ? throw new PgProtocolException("invalid string in message") : Encoding.UTF8.GetString(body[..end]);
    }

    private async Task SimpleQueryAsync(string sql)
    {
        using var cancellation = BeginQuery();
        try
        {
            var statements = SqlParser.Parse(sql);
            if (statements.Count == 0)
            {
                _writer.StartMessage(BackendMessageCode.EmptyQueryResponse);
                _writer.EndMessage();
            }

            foreach (var statement in statements)
            {
                var result = await RunStatementAsync(statement, null, null, cancellation.Token).ConfigureAwait(false);
                if (result is RowsResult or PgFetchResult)
                {
                    WriteRowDescription(result is PgFetchResult fetch ? fetch.Rows.Columns : ((RowsResult)result).Columns, null);
                }

                await WriteResultAsync(result, cancellation).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not (IOException or PgProtocolException))
        {
            _transactions.Failed();
            if (_clientGone)
            {
                throw new IOException("client closed the connection during a query", e);
            }

            _writer.DiscardCurrentMessage();
            WriteError(e);
        }
        finally
        {
            EndQuery();
        }

        WriteReadyForQuery();
        await _writer.FlushAsync(_serverStopping).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one statement: transaction control, DISCARD and CREATE USER are the connection's own; everything else goes to the engine.
    /// Changed session settings are reported to the client afterwards (ParameterStatus).
    /// </summary>
    private async Task<StatementResult> RunStatementAsync(Statement statement, Planner.Binder.ParameterValues? parameters, string? portalName, CancellationToken cancellationToken)
    {
        if (_transactions.TryHandle(statement, out var tag, out var notice))
        {
            WriteNotice(notice);
            if (!_transactions.InBlock)
            {
                await CloseCursorsAsync(holdable: false).ConfigureAwait(false);
            }

            return new CommandResult(tag);
        }

        _transactions.CheckCanRun();
        if (statement is DiscardStatement discard)
        {
            return await DiscardAsync(discard, portalName).ConfigureAwait(false);
        }

        if (statement is CreateUserStatement createUser)
        {
            _settings.Users.Create(createUser.Name, createUser.Password, createUser.Position);
            return new CommandResult("CREATE ROLE");
        }

        switch (statement)
        {
            case DeclareCursorStatement declare:
                return await DeclareCursorAsync(declare, parameters).ConfigureAwait(false);
            case FetchStatement fetch:
                return Fetch(fetch);
            case CloseCursorStatement close:
                return await CloseCursorAsync(close).ConfigureAwait(false);
        }

        var result = await _engine.ExecuteAsync(statement, _session, parameters, cancellationToken).ConfigureAwait(false);
        if (statement is SetStatement or ResetStatement)
        {
            ReportChangedSettings();
        }

        return statement is CopyToStatement copy && result is RowsResult rows ? new PgCopyResult(rows, copy) : result;
    }

    private CancellationTokenSource BeginQuery()
    {
        _cancelRequested = false;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_serverStopping);
        _currentQuery = cts;
        return cts;
    }

    private void EndQuery() => _currentQuery = null;

    private void WriteError(Exception e) => PgError.From(e, _cancelRequested).Write(_writer);

    /// <summary>A FATAL error that is not an exception (failed authentication, missing user), sent before the connection closes.</summary>
    private Task TrySendFatalAsync(string sqlState, string message) => TrySendFatalAsync(new PgError("FATAL", sqlState, message));

    private async Task TrySendFatalAsync(PgError error)
    {
        try
        {
            _writer.DiscardCurrentMessage();
            error.Write(_writer);
            await _writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or NotSupportedException)
        {
        }
    }
}
