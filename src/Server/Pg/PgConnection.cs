using System.Buffers.Binary;
using System.Text;
using Serilog;
using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Engine;
using StreamSql.Runtime.Rows;

namespace StreamSql.Server.Pg;

/// <summary>One client connection: startup, then the simple and extended query protocols against the engine facade.</summary>
public sealed partial class PgConnection
{
    private const int ProtocolVersion3 = 196608;
    private const int SslRequestCode = 80877103;
    private const int GssEncRequestCode = 80877104;
    private const int CancelRequestCode = 80877102;
    private static readonly ILogger Log = Serilog.Log.ForContext<PgConnection>();

    private readonly Stream _stream;
    private readonly StreamEngine _engine;
    private readonly PgSessionRegistry _registry;
    private readonly PgReader _reader;
    private readonly PgWriter _writer;
    private readonly SessionContext _session = new();
    private readonly CancellationToken _serverStopping;
    private CancellationTokenSource? _currentQuery;
    private volatile bool _cancelRequested;

    public PgConnection(Stream stream, StreamEngine engine, PgSessionRegistry registry, CancellationToken serverStopping)
    {
        _stream = stream;
        _engine = engine;
        _registry = registry;
        _reader = new PgReader(stream);
        _writer = new PgWriter(stream);
        _serverStopping = serverStopping;
    }

    public int ProcessId { get; private set; }

    public int SecretKey { get; private set; }

    public string User { get; private set; } = "";

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
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Client went away or the server is stopping: nothing to answer.
        }
        catch (InvalidDataException e)
        {
            Log.Warning("Closing connection {ProcessId}: {Reason}", ProcessId, e.Message);
            await TrySendFatalAsync(SqlState.ProtocolViolation, e.Message).ConfigureAwait(false);
        }
        finally
        {
            if (ProcessId != 0)
            {
                _registry.Unregister(ProcessId);
            }

            _writer.Dispose();
        }
    }

    private async Task<bool> StartupAsync()
    {
        while (true)
        {
            var packet = await _reader.ReadStartupAsync(_serverStopping).ConfigureAwait(false);
            if (packet is null)
            {
                return false;
            }

            var code = BinaryPrimitives.ReadInt32BigEndian(packet);
            switch (code)
            {
                case SslRequestCode or GssEncRequestCode:
                    // No TLS yet: 'N' tells the client to continue in plain text on this connection.
                    await _stream.WriteAsync(new[] { (byte)'N' }, _serverStopping).ConfigureAwait(false);
                    continue;
                case CancelRequestCode:
                    _registry.Cancel(BinaryPrimitives.ReadInt32BigEndian(packet.AsSpan(4)), BinaryPrimitives.ReadInt32BigEndian(packet.AsSpan(8)));
                    return false;
                case ProtocolVersion3:
                    break;
                default:
                    await TrySendFatalAsync(SqlState.ProtocolViolation, $"unsupported frontend protocol {code >> 16}.{code & 0xffff}: server supports 3.0").ConfigureAwait(false);
                    return false;
            }

            var parameters = ReadStartupParameters(packet.AsSpan(4));
            User = parameters.GetValueOrDefault("user", "");
            if (User.Length == 0)
            {
                await TrySendFatalAsync(SqlState.InvalidAuthorizationSpecification, "no PostgreSQL user name specified in startup packet").ConfigureAwait(false);
                return false;
            }

            if (parameters.TryGetValue("application_name", out var app))
            {
                _session.Set("application_name", app);
            }

            (ProcessId, SecretKey) = _registry.Register(this);
            WriteAuthenticationOk();
            WriteParameterStatus("server_version", "15.0");
            WriteParameterStatus("server_encoding", "UTF8");
            WriteParameterStatus("client_encoding", "UTF8");
            WriteParameterStatus("DateStyle", "ISO, MDY");
            WriteParameterStatus("integer_datetimes", "on");
            WriteParameterStatus("standard_conforming_strings", "on");
            WriteParameterStatus("TimeZone", "UTC");
            WriteParameterStatus("IntervalStyle", "postgres");
            WriteParameterStatus("is_superuser", "on");
            WriteParameterStatus("session_authorization", User);
            WriteParameterStatus("application_name", _session.Get("application_name") ?? "");
            _writer.StartMessage(BackendMessageCode.BackendKeyData);
            _writer.WriteInt32(ProcessId);
            _writer.WriteInt32(SecretKey);
            _writer.EndMessage();
            WriteReadyForQuery();
            await _writer.FlushAsync(_serverStopping).ConfigureAwait(false);
            Log.Debug("Connection {ProcessId} started for user {User}", ProcessId, User);
            return true;
        }
    }

    private static Dictionary<string, string> ReadStartupParameters(ReadOnlySpan<byte> body)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var cursor = new MessageCursor(body);
        while (!cursor.AtEnd)
        {
            var key = cursor.ReadCString();
            if (key.Length == 0)
            {
                break;
            }

            result[key] = cursor.ReadCString();
        }

        return result;
    }

    private Task HandleAsync(FrontendMessageCode code, byte[] body) => code switch
    {
        FrontendMessageCode.Query => SimpleQueryAsync(ReadQueryText(body)),
        FrontendMessageCode.Parse => ExtendedAsync(() => ParseMessage(body)),
        FrontendMessageCode.Bind => ExtendedAsync(() => BindMessage(body)),
        FrontendMessageCode.Describe => ExtendedAsync(() => DescribeMessageAsync(body)),
        FrontendMessageCode.Execute => ExtendedAsync(() => ExecuteMessageAsync(body)),
        FrontendMessageCode.Close => ExtendedAsync(() => CloseMessage(body)),
        FrontendMessageCode.Sync => SyncAsync(),
        FrontendMessageCode.Flush => _writer.FlushAsync(_serverStopping).AsTask(),
        FrontendMessageCode.CopyData or FrontendMessageCode.CopyDone or FrontendMessageCode.CopyFail => Task.CompletedTask,
        _ => throw new InvalidDataException($"unsupported message type '{(char)code}'"),
    };

    private static string ReadQueryText(byte[] body)
    {
        var end = Array.IndexOf(body, (byte)0);
        return Encoding.UTF8.GetString(body, 0, end < 0 ? body.Length : end);
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
                var result = await _engine.ExecuteAsync(statement, _session, cancellation.Token).ConfigureAwait(false);
                if (result is RowsResult rows)
                {
                    WriteRowDescription(rows, null);
                }

                await WriteResultAsync(result, null, cancellation.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not IOException)
        {
            _writer.DiscardCurrentMessage();
            PgError.From(e, _cancelRequested).Write(_writer);
        }
        finally
        {
            EndQuery();
        }

        WriteReadyForQuery();
        await _writer.FlushAsync(_serverStopping).ConfigureAwait(false);
    }

    private CancellationTokenSource BeginQuery()
    {
        _cancelRequested = false;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_serverStopping);
        _currentQuery = cts;
        return cts;
    }

    private void EndQuery() => _currentQuery = null;

    /// <summary>Writes a whole statement result: CommandComplete, or every row then "SELECT n".</summary>
    private async Task WriteResultAsync(StatementResult result, short[]? formats, CancellationToken cancellationToken)
    {
        switch (result)
        {
            case CommandResult command:
                WriteCommandComplete(command.Tag);
                return;
            case RowsResult rows:
                var enumerator = rows.Rows.GetAsyncEnumerator(cancellationToken);
                await using (enumerator.ConfigureAwait(false))
                {
                    var (count, _) = await WriteRowsAsync(rows.Columns.Count, enumerator, formats, 0, cancellationToken).ConfigureAwait(false);
                    WriteCommandComplete(rows.Tag ?? $"SELECT {count}");
                }

                return;
        }
    }

    /// <summary>Streams up to maxRows rows (0 = all), flushing whenever the next row is not ready yet so push queries feel live.</summary>
    private async Task<(long Count, bool Exhausted)> WriteRowsAsync(int columnCount, IAsyncEnumerator<Value[]> rows, short[]? formats, long maxRows, CancellationToken cancellationToken)
    {
        long count = 0;
        while (maxRows <= 0 || count < maxRows)
        {
            var next = rows.MoveNextAsync();
            if (!next.IsCompleted)
            {
                await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!await next.ConfigureAwait(false))
            {
                return (count, true);
            }

            WriteDataRow(rows.Current, columnCount, formats);
            count++;
            if (_writer.BufferedBytes > 64 * 1024)
            {
                await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return (count, false);
    }

    private void WriteDataRow(Value[] row, int columnCount, short[]? formats)
    {
        _writer.StartMessage(BackendMessageCode.DataRow);
        _writer.WriteInt16((short)columnCount);
        for (var i = 0; i < columnCount; i++)
        {
            PgTypes.WriteValue(_writer, row[i], IsBinary(formats, i));
        }

        _writer.EndMessage();
    }

    private static bool IsBinary(short[]? formats, int column) =>
        formats is { Length: > 0 } && (formats.Length == 1 ? formats[0] : column < formats.Length ? formats[column] : (short)0) == 1;

    private void WriteRowDescription(RowsResult rows, short[]? formats)
    {
        _writer.StartMessage(BackendMessageCode.RowDescription);
        _writer.WriteInt16((short)rows.Columns.Count);
        for (var i = 0; i < rows.Columns.Count; i++)
        {
            var column = rows.Columns[i];
            _writer.WriteCString(column.Name);
            _writer.WriteInt32(0);
            _writer.WriteInt16(0);
            _writer.WriteInt32(PgTypes.Oid(column.Type));
            _writer.WriteInt16(PgTypes.Size(column.Type));
            _writer.WriteInt32(-1);
            _writer.WriteInt16(IsBinary(formats, i) ? (short)1 : (short)0);
        }

        _writer.EndMessage();
    }

    private void WriteCommandComplete(string tag)
    {
        _writer.StartMessage(BackendMessageCode.CommandComplete);
        _writer.WriteCString(tag);
        _writer.EndMessage();
    }

    private void WriteAuthenticationOk()
    {
        _writer.StartMessage(BackendMessageCode.Authentication);
        _writer.WriteInt32(0);
        _writer.EndMessage();
    }

    private void WriteParameterStatus(string name, string value)
    {
        _writer.StartMessage(BackendMessageCode.ParameterStatus);
        _writer.WriteCString(name);
        _writer.WriteCString(value);
        _writer.EndMessage();
    }

    private void WriteReadyForQuery()
    {
        _writer.StartMessage(BackendMessageCode.ReadyForQuery);
        _writer.WriteByte((byte)'I');
        _writer.EndMessage();
    }

    private async Task TrySendFatalAsync(string sqlState, string message)
    {
        try
        {
            new PgError("FATAL", sqlState, message).Write(_writer);
            await _writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    private static bool ReturnsRows(Statement statement) =>
        statement is SelectStatement or ShowObjectsStatement or ShowSettingStatement or DescribeStatement or ExplainStatement or PrintStatement;
}
