using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Binder;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Pg;

/// <summary>The extended query protocol: Parse, Bind (with parameters), Describe, Execute (with row limits), Close, Sync.</summary>
public sealed partial class PgConnection
{
    private readonly Dictionary<string, PgPreparedStatement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PgPortal> _portals = new(StringComparer.Ordinal);
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
        catch (Exception e) when (e is not (IOException or PgProtocolException))
        {
            _writer.DiscardCurrentMessage();
            _transactions.Failed();
            WriteError(e);
            _skipUntilSync = true;
        }
    }

    private Task ExtendedAsync(Action handler) => ExtendedAsync(() =>
    {
        handler();
        return Task.CompletedTask;
    });

    /// <summary>Parse: the statement is parsed and described now, as PostgreSQL analyses it, so parameter types are fixed before Bind.</summary>
    private void ParseMessage(ReadOnlyMemory<byte> body)
    {
        var cursor = new MessageCursor(body.Span);
        var name = cursor.ReadCString();
        var sql = cursor.ReadCString();
        var oids = new int[cursor.ReadCount()];
        for (var i = 0; i < oids.Length; i++)
        {
            oids[i] = cursor.ReadInt32();
        }

        if (name.Length > 0 && _statements.ContainsKey(name))
        {
            throw new SqlException(SqlState.DuplicatePreparedStatement, $"prepared statement \"{name}\" already exists");
        }

        var statements = SqlParser.Parse(sql);
        if (statements.Count > 1)
        {
            throw new SqlException(SqlState.SyntaxError, "cannot insert multiple commands into a prepared statement");
        }

        var statement = statements.Count == 0 ? null : statements[0];
        var declared = oids.Select(PgTypes.FromOid).ToArray();
        var description = statement is null || PgTransactions.IsTransactionControl(statement)
            ? new StatementDescription(declared, null)
            : statement is FetchStatement fetch ? new StatementDescription(declared, FindCursor(fetch.Cursor, fetch.Position).Columns)
            : _engine.Describe(statement, _session, declared);

        // Declared types are echoed as sent; inferred ones get their OID; a parameter nothing decided is text, as in PostgreSQL.
        var count = description.ParameterTypes.Count;
        var types = new SqlType[count];
        var wireOids = new int[count];
        for (var i = 0; i < count; i++)
        {
            types[i] = description.ParameterTypes[i] ?? SqlType.Varchar;
            wireOids[i] = i < oids.Length && declared[i] is not null ? oids[i] : description.ParameterTypes[i] is { } t ? PgTypes.Oid(t) : PgTypes.TextOid;
        }

        _statements[name] = new PgPreparedStatement(sql, statement, wireOids, types, description.Columns);
        _writer.StartMessage(BackendMessageCode.ParseComplete);
        _writer.EndMessage();
    }

    private async Task BindMessageAsync(ReadOnlyMemory<byte> body)
    {
        var (portalName, statementName, parameters, resultFormats) = ReadBind(body.Span);
        var statement = _statements.GetValueOrDefault(statementName)
            ?? throw new SqlException(SqlState.InvalidSqlStatementName, $"prepared statement \"{statementName}\" does not exist");
        if (parameters.Count != statement.ParameterTypes.Count)
        {
            throw new SqlException(SqlState.ProtocolViolation,
                $"bind message supplies {parameters.Count} parameters, but prepared statement \"{statementName}\" requires {statement.ParameterTypes.Count}");
        }

        var values = new object?[parameters.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var (start, length, binary) = parameters[i];
            values[i] = length < 0 ? null : PgParameters.Decode(body.Span.Slice(start, length), statement.ParameterOids[i], statement.ParameterTypes[i], binary, i + 1);
        }

        if (portalName.Length > 0 && _portals.ContainsKey(portalName))
        {
            throw new SqlException(SqlState.DuplicateCursor, $"cursor \"{portalName}\" already exists");
        }

        await ClosePortalAsync(portalName).ConfigureAwait(false);
        var parameterValues = values.Length == 0 ? null : new ParameterValues(statement.ParameterTypes, values);
        _portals[portalName] = new PgPortal(statement, parameterValues, resultFormats, CancellationTokenSource.CreateLinkedTokenSource(_serverStopping));
        _writer.StartMessage(BackendMessageCode.BindComplete);
        _writer.EndMessage();
    }

    /// <summary>Reads a Bind body; parameter values stay in the body, as (offset, length or -1 for NULL, binary).</summary>
    private static (string Portal, string Statement, List<(int Start, int Length, bool Binary)> Parameters, short[] ResultFormats) ReadBind(ReadOnlySpan<byte> body)
    {
        var cursor = new MessageCursor(body);
        var portalName = cursor.ReadCString();
        var statementName = cursor.ReadCString();
        var formats = new short[cursor.ReadCount()];
        for (var i = 0; i < formats.Length; i++)
        {
            formats[i] = cursor.ReadFormat();
        }

        var parameterCount = cursor.ReadCount();
        if (formats.Length > 1 && formats.Length != parameterCount)
        {
            throw new PgProtocolException($"bind message has {formats.Length} parameter formats but {parameterCount} parameters");
        }

        var parameters = new List<(int, int, bool)>(parameterCount);
        for (var i = 0; i < parameterCount; i++)
        {
            var length = cursor.ReadInt32();
            var start = cursor.Position;
            if (length >= 0)
            {
                cursor.ReadBytes(length);
            }

            parameters.Add((start, length, formats.Length != 0 && formats[formats.Length == 1 ? 0 : i] == 1));
        }

        var resultFormats = new short[cursor.ReadCount()];
        for (var i = 0; i < resultFormats.Length; i++)
        {
            resultFormats[i] = cursor.ReadFormat();
        }

        return (portalName, statementName, parameters, resultFormats);
    }

    private void DescribeMessage(ReadOnlyMemory<byte> body)
    {
        var cursor = new MessageCursor(body.Span);
        var kind = cursor.ReadByte();
        var name = cursor.ReadCString();
        if (kind == (byte)'S')
        {
            var statement = _statements.GetValueOrDefault(name) ?? throw new SqlException(SqlState.InvalidSqlStatementName, $"prepared statement \"{name}\" does not exist");
            _writer.StartMessage(BackendMessageCode.ParameterDescription);
            _writer.WriteInt16((short)statement.ParameterOids.Count);
            foreach (var oid in statement.ParameterOids)
            {
                _writer.WriteInt32(oid);
            }

            _writer.EndMessage();
            WriteDescription(statement.Columns, null);
            return;
        }

        if (kind != (byte)'P')
        {
            throw new PgProtocolException($"invalid DESCRIBE message subtype {kind}");
        }

        var portal = _portals.GetValueOrDefault(name) ?? throw new SqlException(SqlState.InvalidCursorName, $"portal \"{name}\" does not exist");
        WriteDescription(portal.Statement.Columns, portal.ResultFormats);
    }

    private void WriteDescription(IReadOnlyList<ColumnSchema>? columns, short[]? formats)
    {
        if (columns is null)
        {
            WriteNoData();
        }
        else
        {
            WriteRowDescription(columns, formats);
        }
    }

    private async Task ExecuteMessageAsync(ReadOnlyMemory<byte> body)
    {
        var cursor = new MessageCursor(body.Span);
        var name = cursor.ReadCString();
        var maxRows = cursor.ReadInt32();
        var portal = _portals.GetValueOrDefault(name) ?? throw new SqlException(SqlState.InvalidCursorName, $"portal \"{name}\" does not exist");
        if (portal.Statement.Statement is not { } statement)
        {
            _writer.StartMessage(BackendMessageCode.EmptyQueryResponse);
            _writer.EndMessage();
            return;
        }

        if (portal.Completed)
        {
            // Executing a finished portal again yields no rows, as PostgreSQL does.
            WriteCommandComplete(portal.Result is CommandResult done ? done.Tag : "SELECT 0");
            return;
        }

        _cancelRequested = false;
        _currentQuery = portal.Cancellation;
        try
        {
            portal.Result ??= await RunStatementAsync(statement, portal.Parameters, name, portal.Cancellation.Token).ConfigureAwait(false);
            if (portal.Result is CommandResult command)
            {
                WriteCommandComplete(command.Tag);
                portal.Completed = true;
                return;
            }

            if (portal.Result is PgCopyResult copy)
            {
                await WriteCopyAsync(copy, portal.Cancellation).ConfigureAwait(false);
                portal.Completed = true;
                return;
            }

            var rows = portal.Result is PgFetchResult fetch ? fetch.Rows : (RowsResult)portal.Result;
            if (portal.Statement.Columns is null)
            {
                // The client was told NoData; rows now would corrupt the protocol. StreamEngine.Describe must know every row-returning statement.
                throw new SqlException(SqlState.InternalError, $"{statement.GetType().Name} returned rows but was described as returning none");
            }

            portal.Rows ??= rows.Rows.GetAsyncEnumerator(portal.Cancellation.Token);
            var (count, exhausted) = await WriteRowsAsync(rows.Columns, portal.Rows, portal.ResultFormats, maxRows, portal.Cancellation).ConfigureAwait(false);
            portal.RowCount += count;
            if (exhausted)
            {
                WriteCommandComplete(portal.Result is PgFetchResult ? $"FETCH {portal.RowCount}" : rows.Tag ?? $"SELECT {portal.RowCount}");
                portal.Completed = true;
            }
            else
            {
                _writer.StartMessage(BackendMessageCode.PortalSuspended);
                _writer.EndMessage();
            }
        }
        catch (Exception e) when (e is not (IOException or PgProtocolException))
        {
            _transactions.Failed();
            if (_clientGone)
            {
                throw new IOException("client closed the connection during a query", e);
            }

            throw;
        }
        finally
        {
            _currentQuery = null;
        }
    }

    private async Task CloseMessageAsync(ReadOnlyMemory<byte> body)
    {
        var cursor = new MessageCursor(body.Span);
        var kind = cursor.ReadByte();
        var name = cursor.ReadCString();
        if (kind == (byte)'S')
        {
            _statements.Remove(name);
        }
        else if (kind == (byte)'P')
        {
            await ClosePortalAsync(name).ConfigureAwait(false);
        }
        else
        {
            throw new PgProtocolException($"invalid CLOSE message subtype {kind}");
        }

        _writer.StartMessage(BackendMessageCode.CloseComplete);
        _writer.EndMessage();
    }

    /// <summary>Sync ends the implicit transaction: outside a BEGIN block every portal closes, as in PostgreSQL's autocommit mode.</summary>
    private async Task SyncAsync()
    {
        if (!_transactions.InBlock)
        {
            await CloseAllPortalsAsync().ConfigureAwait(false);
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

    private async Task CloseAllPortalsAsync()
    {
        foreach (var name in _portals.Keys.ToList())
        {
            await ClosePortalAsync(name).ConfigureAwait(false);
        }
    }

    private async Task ClosePortalAsync(string name)
    {
        if (_portals.Remove(name, out var portal))
        {
            await portal.DisposeAsync().ConfigureAwait(false);
        }
    }
}
