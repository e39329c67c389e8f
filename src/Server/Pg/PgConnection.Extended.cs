using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Engine;
using StreamSql.Runtime.Rows;

namespace StreamSql.Server.Pg;

/// <summary>The extended query protocol: Parse, Bind, Describe, Execute (with row limits), Close, Sync.</summary>
public sealed partial class PgConnection
{
    private readonly Dictionary<string, PreparedStatement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Portal> _portals = new(StringComparer.Ordinal);
    private bool _skipUntilSync;

    private async Task ExtendedAsync(Func<Task> handler)
    {
        if (_skipUntilSync)
        {
            return;
        }

        try
        {
            await handler().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not IOException)
        {
            _writer.DiscardCurrentMessage();
            PgError.From(e, _cancelRequested).Write(_writer);
            _skipUntilSync = true;
        }
    }

    private Task ExtendedAsync(Action handler) => ExtendedAsync(() =>
    {
        handler();
        return Task.CompletedTask;
    });

    private void ParseMessage(byte[] body)
    {
        var cursor = new MessageCursor(body);
        var name = cursor.ReadCString();
        var sql = cursor.ReadCString();
        var parameterCount = cursor.ReadInt16();
        var oids = new int[parameterCount];
        for (var i = 0; i < parameterCount; i++)
        {
            oids[i] = cursor.ReadInt32();
        }

        var statements = SqlParser.Parse(sql);
        if (statements.Count > 1)
        {
            throw new SqlException(SqlState.SyntaxError, "cannot insert multiple commands into a prepared statement");
        }

        if (name.Length > 0 && _statements.ContainsKey(name))
        {
            throw new SqlException(SqlState.DuplicatePreparedStatement, $"prepared statement \"{name}\" already exists");
        }

        _statements[name] = new PreparedStatement(sql, statements.Count == 0 ? null : statements[0], oids);
        _writer.StartMessage(BackendMessageCode.ParseComplete);
        _writer.EndMessage();
    }

    private void BindMessage(byte[] body)
    {
        var cursor = new MessageCursor(body);
        var portalName = cursor.ReadCString();
        var statementName = cursor.ReadCString();
        var statement = _statements.GetValueOrDefault(statementName)
            ?? throw new SqlException(SqlState.InvalidSqlStatementName, $"prepared statement \"{statementName}\" does not exist");
        var formatCount = cursor.ReadInt16();
        for (var i = 0; i < formatCount; i++)
        {
            cursor.ReadInt16();
        }

        var parameterCount = cursor.ReadInt16();
        if (parameterCount > 0)
        {
            throw SqlException.NotSupported("bind parameters");
        }

        var resultFormatCount = cursor.ReadInt16();
        var resultFormats = new short[resultFormatCount];
        for (var i = 0; i < resultFormatCount; i++)
        {
            resultFormats[i] = cursor.ReadInt16();
        }

        ClosePortal(portalName);
        _portals[portalName] = new Portal(statement, resultFormats, CancellationTokenSource.CreateLinkedTokenSource(_serverStopping));
        _writer.StartMessage(BackendMessageCode.BindComplete);
        _writer.EndMessage();
    }

    private async Task DescribeMessageAsync(byte[] body)
    {
        var kind = body[0];
        var name = new MessageCursor(body.AsSpan(1)).ReadCString();
        if (kind == (byte)'S')
        {
            var statement = _statements.GetValueOrDefault(name) ?? throw new SqlException(SqlState.InvalidSqlStatementName, $"prepared statement \"{name}\" does not exist");
            _writer.StartMessage(BackendMessageCode.ParameterDescription);
            _writer.WriteInt16((short)statement.ParameterOids.Length);
            foreach (var oid in statement.ParameterOids)
            {
                _writer.WriteInt32(oid);
            }

            _writer.EndMessage();
            if (statement.Statement is { } s && ReturnsRows(s))
            {
                // Row-returning statements run lazily: executing only plans them, rows flow on enumeration.
                var result = (RowsResult)await _engine.ExecuteAsync(s, _session, _serverStopping).ConfigureAwait(false);
                WriteRowDescription(result, null);
            }
            else
            {
                WriteNoData();
            }

            return;
        }

        var portal = _portals.GetValueOrDefault(name) ?? throw new SqlException(SqlState.InvalidCursorName, $"portal \"{name}\" does not exist");
        if (portal.Statement.Statement is { } ps && ReturnsRows(ps))
        {
            portal.Result ??= await _engine.ExecuteAsync(ps, _session, portal.Cancellation.Token).ConfigureAwait(false);
            WriteRowDescription((RowsResult)portal.Result, portal.ResultFormats);
        }
        else
        {
            WriteNoData();
        }
    }

    private async Task ExecuteMessageAsync(byte[] body)
    {
        var cursor = new MessageCursor(body);
        var name = cursor.ReadCString();
        var maxRows = cursor.ReadInt32();
        var portal = _portals.GetValueOrDefault(name) ?? throw new SqlException(SqlState.InvalidCursorName, $"portal \"{name}\" does not exist");
        if (portal.Statement.Statement is not { } statement)
        {
            _writer.StartMessage(BackendMessageCode.EmptyQueryResponse);
            _writer.EndMessage();
            return;
        }

        _cancelRequested = false;
        _currentQuery = portal.Cancellation;
        try
        {
            portal.Result ??= await _engine.ExecuteAsync(statement, _session, portal.Cancellation.Token).ConfigureAwait(false);
            if (portal.Result is CommandResult command)
            {
                if (!portal.Completed)
                {
                    WriteCommandComplete(command.Tag);
                    portal.Completed = true;
                }

                return;
            }

            var rows = (RowsResult)portal.Result;
            portal.Rows ??= rows.Rows.GetAsyncEnumerator(portal.Cancellation.Token);
            var (count, exhausted) = await WriteRowsAsync(rows.Columns.Count, portal.Rows, portal.ResultFormats, maxRows, portal.Cancellation.Token).ConfigureAwait(false);
            portal.RowCount += count;
            if (exhausted)
            {
                WriteCommandComplete(rows.Tag ?? $"SELECT {portal.RowCount}");
                portal.Completed = true;
            }
            else
            {
                _writer.StartMessage(BackendMessageCode.PortalSuspended);
                _writer.EndMessage();
            }
        }
        finally
        {
            _currentQuery = null;
        }
    }

    private void CloseMessage(byte[] body)
    {
        var kind = body[0];
        var name = new MessageCursor(body.AsSpan(1)).ReadCString();
        if (kind == (byte)'S')
        {
            _statements.Remove(name);
        }
        else
        {
            ClosePortal(name);
        }

        _writer.StartMessage(BackendMessageCode.CloseComplete);
        _writer.EndMessage();
    }

    /// <summary>Sync ends the implicit transaction: every portal closes, as in PostgreSQL's autocommit mode.</summary>
    private async Task SyncAsync()
    {
        foreach (var name in _portals.Keys.ToList())
        {
            ClosePortal(name);
        }

        _skipUntilSync = false;
        WriteReadyForQuery();
        await _writer.FlushAsync(_serverStopping).ConfigureAwait(false);
    }

    private void WriteNoData()
    {
        _writer.StartMessage(BackendMessageCode.NoData);
        _writer.EndMessage();
    }

    private void ClosePortal(string name)
    {
        if (_portals.Remove(name, out var portal))
        {
            portal.Cancellation.Cancel();
            if (portal.Rows is { } rows)
            {
                // Disposing ends the query's partition tasks; it completes quickly once cancelled.
                rows.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            portal.Cancellation.Dispose();
        }
    }

    private sealed record PreparedStatement(string Sql, Statement? Statement, int[] ParameterOids);

    private sealed class Portal(PreparedStatement statement, short[] resultFormats, CancellationTokenSource cancellation)
    {
        public PreparedStatement Statement { get; } = statement;

        public short[] ResultFormats { get; } = resultFormats;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public StatementResult? Result { get; set; }

        public IAsyncEnumerator<Value[]>? Rows { get; set; }

        public long RowCount { get; set; }

        public bool Completed { get; set; }
    }
}
