using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace StreamSql.SqlLogicTest;

/// <summary>
/// A minimal PostgreSQL v3 wire-protocol client that only speaks the simple query protocol
/// (<c>Query</c> message, text-format results). Only trust authentication (AuthenticationOk) is
/// supported; no TLS.
/// </summary>
/// <remarks>
/// After a <see cref="PgServerException"/> the connection is still usable (the client always reads up
/// to ReadyForQuery). Any other exception (timeout, I/O error, protocol violation, cancellation) marks
/// the connection as <see cref="IsBroken"/>; it must then be disposed.
/// </remarks>
public sealed class PgSimpleClient : IAsyncDisposable, IDisposable
{
    private const int ProtocolVersion3 = 196608; // 3 << 16
    private const int CancelRequestCode = 80877102;
    private const int MaxMessageLength = 1 << 30;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly PgConnectionSettings _settings;
    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);
    private readonly byte[] _header = new byte[5];
    private bool _disposed;

    private PgSimpleClient(TcpClient tcp, PgConnectionSettings settings)
    {
        _tcp = tcp;
        _settings = settings;
        _stream = new BufferedStream(tcp.GetStream(), 64 * 1024);
    }

    /// <summary>Per-query timeout; a query exceeding it throws <see cref="TimeoutException"/> and breaks the connection.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>ParameterStatus values reported by the server (server_version, client_encoding, ...).</summary>
    public IReadOnlyDictionary<string, string> ServerParameters => _parameters;

    /// <summary>Backend process id from BackendKeyData (0 if the server sent none).</summary>
    public int ProcessId { get; private set; }

    /// <summary>Backend secret key from BackendKeyData (0 if the server sent none).</summary>
    public int SecretKey { get; private set; }

    /// <summary>True once the connection is unusable (timeout, I/O error, protocol error).</summary>
    public bool IsBroken { get; private set; }

    public static async Task<PgSimpleClient> ConnectAsync(string connectionString, CancellationToken ct = default) =>
        await ConnectAsync(PgConnectionSettings.Parse(connectionString), ct).ConfigureAwait(false);

    public static async Task<PgSimpleClient> ConnectAsync(PgConnectionSettings settings, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(settings.ConnectTimeout);

        var tcp = new TcpClient { NoDelay = true };
        PgSimpleClient? client = null;
        try
        {
            await tcp.ConnectAsync(settings.Host, settings.Port, cts.Token).ConfigureAwait(false);
            client = new PgSimpleClient(tcp, settings);
            await client.StartupAsync(cts.Token).ConfigureAwait(false);
            return client;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Dispose(client, tcp);
            throw new TimeoutException(
                $"could not connect to {settings.Host}:{settings.Port} within {settings.ConnectTimeout.TotalSeconds:0.#}s");
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            Dispose(client, tcp);
            throw new PgProtocolException($"could not connect to {settings.Host}:{settings.Port}: {ex.Message}", ex);
        }
        catch
        {
            Dispose(client, tcp);
            throw;
        }

        static void Dispose(PgSimpleClient? client, TcpClient tcp)
        {
            if (client is not null)
            {
                client.IsBroken = true;
                client.Dispose();
            }
            else
            {
                tcp.Dispose();
            }
        }
    }

    /// <summary>
    /// Sends one simple Query message (which may contain several statements) and reads every response up
    /// to ReadyForQuery.
    /// </summary>
    /// <exception cref="PgServerException">The server reported an error; the connection stays usable.</exception>
    /// <exception cref="TimeoutException">No ReadyForQuery within <see cref="QueryTimeout"/>; the connection is broken.</exception>
    /// <exception cref="PgProtocolException">I/O or protocol failure; the connection is broken.</exception>
    public async Task<PgQueryResult> QueryAsync(string sql, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsBroken)
        {
            throw new PgProtocolException("the connection is broken (an earlier query timed out or failed at the protocol level)");
        }
        if (sql.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("SQL text must not contain NUL characters", nameof(sql));
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(QueryTimeout);
        try
        {
            await WriteQueryAsync(sql, cts.Token).ConfigureAwait(false);
            return await ReadQueryResponseAsync(cts.Token).ConfigureAwait(false);
        }
        catch (PgServerException)
        {
            throw;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            IsBroken = true;
            await SendCancelRequestAsync().ConfigureAwait(false);
            throw new TimeoutException($"query did not complete within {QueryTimeout.TotalSeconds:0.#}s (connection abandoned)");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            IsBroken = true;
            throw new PgProtocolException($"connection lost: {ex.Message}", ex);
        }
        catch
        {
            IsBroken = true;
            throw;
        }
    }

    private async Task StartupAsync(CancellationToken ct)
    {
        var body = new MemoryStream();
        WriteInt32(body, 0); // length placeholder
        WriteInt32(body, ProtocolVersion3);
        WriteCString(body, "user");
        WriteCString(body, _settings.Username);
        WriteCString(body, "database");
        WriteCString(body, _settings.Database);
        WriteCString(body, "client_encoding");
        WriteCString(body, "UTF8");
        WriteCString(body, "application_name");
        WriteCString(body, "streamsql-sqllogictest");
        body.WriteByte(0);
        var bytes = body.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length);
        await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);

        while (true)
        {
            var (type, payload) = await ReadMessageAsync(ct).ConfigureAwait(false);
            var reader = new MessageReader(payload);
            switch (type)
            {
                case 'R':
                {
                    var code = reader.ReadInt32();
                    if (code != 0)
                    {
                        throw new PgProtocolException(
                            $"server requested {DescribeAuth(code, reader)} authentication for user '{_settings.Username}', " +
                            "but this client only supports trust authentication (AuthenticationOk)");
                    }
                    break;
                }
                case 'S':
                    HandleParameterStatus(reader);
                    break;
                case 'K':
                    ProcessId = reader.ReadInt32();
                    SecretKey = reader.ReadInt32();
                    break;
                case 'E':
                    throw new PgServerException(ReadErrorFields(reader));
                case 'N': // NoticeResponse
                case 'v': // NegotiateProtocolVersion: we only use the base protocol, nothing to do
                    break;
                case 'Z':
                    return;
                default:
                    throw new PgProtocolException($"unexpected message '{type}' during startup");
            }
        }
    }

    private static string DescribeAuth(int code, MessageReader reader)
    {
        switch (code)
        {
            case 2: return "Kerberos V5";
            case 3: return "cleartext password";
            case 5: return "MD5 password";
            case 7: return "GSSAPI";
            case 9: return "SSPI";
            case 10:
                var mechanisms = new List<string>();
                while (reader.Remaining > 0)
                {
                    var m = reader.ReadCString();
                    if (m.Length == 0)
                    {
                        break;
                    }
                    mechanisms.Add(m);
                }
                return $"SASL ({string.Join(", ", mechanisms)})";
            default: return $"unknown (code {code})";
        }
    }

    private async Task WriteQueryAsync(string sql, CancellationToken ct)
    {
        var sqlBytes = Utf8.GetBytes(sql);
        var message = new byte[1 + 4 + sqlBytes.Length + 1];
        message[0] = (byte)'Q';
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + sqlBytes.Length + 1);
        sqlBytes.CopyTo(message, 5);
        message[^1] = 0;
        await _stream.WriteAsync(message, ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private async Task<PgQueryResult> ReadQueryResponseAsync(CancellationToken ct)
    {
        var results = new List<PgResultSet>();
        List<PgColumn>? columns = null;
        List<IReadOnlyList<string?>>? rows = null;
        PgServerException? error = null;

        while (true)
        {
            var (type, payload) = await ReadMessageAsync(ct).ConfigureAwait(false);
            var reader = new MessageReader(payload);
            switch (type)
            {
                case 'T': // RowDescription
                {
                    var count = reader.ReadInt16();
                    columns = new List<PgColumn>(count);
                    for (var i = 0; i < count; i++)
                    {
                        var name = reader.ReadCString();
                        reader.Skip(4 + 2); // table oid, attribute number
                        var typeOid = (uint)reader.ReadInt32();
                        reader.Skip(2 + 4 + 2); // type size, type modifier, format code
                        columns.Add(new PgColumn(name, typeOid));
                    }
                    rows = [];
                    break;
                }
                case 'D': // DataRow
                {
                    if (rows is null || columns is null)
                    {
                        throw new PgProtocolException("DataRow received without a preceding RowDescription");
                    }
                    var count = reader.ReadInt16();
                    if (count != columns.Count)
                    {
                        throw new PgProtocolException($"DataRow has {count} values but RowDescription declared {columns.Count} columns");
                    }
                    var values = new string?[count];
                    for (var i = 0; i < count; i++)
                    {
                        var len = reader.ReadInt32();
                        values[i] = len == -1 ? null : reader.ReadString(len);
                    }
                    rows.Add(values);
                    break;
                }
                case 'C': // CommandComplete
                    results.Add(new PgResultSet(columns, (IReadOnlyList<IReadOnlyList<string?>>?)rows ?? [], reader.ReadCString()));
                    columns = null;
                    rows = null;
                    break;
                case 'I': // EmptyQueryResponse
                    columns = null;
                    rows = null;
                    break;
                case 'E': // ErrorResponse: ends the query; keep reading until ReadyForQuery
                    error ??= new PgServerException(ReadErrorFields(reader));
                    columns = null;
                    rows = null;
                    break;
                case 'N': // NoticeResponse
                case 'A': // NotificationResponse
                    break;
                case 'S':
                    HandleParameterStatus(reader);
                    break;
                case 'Z': // ReadyForQuery
                    if (error is not null)
                    {
                        throw error;
                    }
                    if (columns is not null)
                    {
                        throw new PgProtocolException("ReadyForQuery received while a result set was still open (missing CommandComplete)");
                    }
                    return new PgQueryResult(results);
                case 'H': // CopyOutResponse: each COPY line becomes a one-column row (tabs compare as spaces)
                    columns = [new PgColumn("copy", 25)];
                    rows = [];
                    break;
                case 'd': // CopyData
                    if (rows is null)
                    {
                        throw new PgProtocolException("CopyData received without a preceding CopyOutResponse");
                    }
                    var line = reader.ReadString(payload.Length);
                    rows.Add([line.EndsWith('\n') ? line[..^1] : line]);
                    break;
                case 'c': // CopyDone
                    break;
                case 'G':
                case 'W':
                    throw new PgProtocolException("COPY FROM is not supported by the sqllogictest client");
                default:
                    throw new PgProtocolException($"unexpected message '{type}' (0x{(int)type:X2}) in query response");
            }
        }
    }

    private void HandleParameterStatus(MessageReader reader)
    {
        var name = reader.ReadCString();
        var value = reader.ReadCString();
        _parameters[name] = value;
    }

    private static Dictionary<char, string> ReadErrorFields(MessageReader reader)
    {
        var fields = new Dictionary<char, string>();
        while (reader.Remaining > 0)
        {
            var code = reader.ReadByte();
            if (code == 0)
            {
                break;
            }
            fields[(char)code] = reader.ReadCString();
        }
        return fields;
    }

    private async Task<(char Type, byte[] Payload)> ReadMessageAsync(CancellationToken ct)
    {
        try
        {
            await _stream.ReadExactlyAsync(_header, ct).ConfigureAwait(false);
        }
        catch (EndOfStreamException ex)
        {
            throw new PgProtocolException("server closed the connection", ex);
        }
        var type = (char)_header[0];
        var length = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1));
        if (length < 4 || length > MaxMessageLength)
        {
            throw new PgProtocolException($"invalid length {length} for message '{type}' (0x{_header[0]:X2})");
        }
        var payload = length == 4 ? [] : new byte[length - 4];
        try
        {
            await _stream.ReadExactlyAsync(payload, ct).ConfigureAwait(false);
        }
        catch (EndOfStreamException ex)
        {
            throw new PgProtocolException($"server closed the connection in the middle of message '{type}'", ex);
        }
        return (type, payload);
    }

    /// <summary>Best effort CancelRequest on a separate connection so the server stops working on an abandoned query.</summary>
    private async Task SendCancelRequestAsync()
    {
        if (ProcessId == 0 && SecretKey == 0)
        {
            return;
        }
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(_settings.Host, _settings.Port, cts.Token).ConfigureAwait(false);
            var message = new byte[16];
            BinaryPrimitives.WriteInt32BigEndian(message, 16);
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), CancelRequestCode);
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(8), ProcessId);
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(12), SecretKey);
            await tcp.GetStream().WriteAsync(message, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            // best effort only
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        if (!IsBroken)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _stream.WriteAsync(TerminateMessage, cts.Token).ConfigureAwait(false);
                await _stream.FlushAsync(cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // best effort only
            }
        }
        Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            _stream.Dispose();
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            // flushing a dead socket may fail; nothing to do
        }
        _tcp.Dispose();
    }

    private static readonly byte[] TerminateMessage = [(byte)'X', 0, 0, 0, 4];

    private static void WriteInt32(Stream stream, int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, value);
        stream.Write(buffer);
    }

    private static void WriteCString(Stream stream, string value)
    {
        stream.Write(Utf8.GetBytes(value));
        stream.WriteByte(0);
    }

    /// <summary>Sequential big-endian reader over one message payload.</summary>
    private sealed class MessageReader(byte[] payload)
    {
        private int _pos;

        public int Remaining => payload.Length - _pos;

        public byte ReadByte()
        {
            Ensure(1);
            return payload[_pos++];
        }

        public short ReadInt16()
        {
            Ensure(2);
            var v = BinaryPrimitives.ReadInt16BigEndian(payload.AsSpan(_pos));
            _pos += 2;
            return v;
        }

        public int ReadInt32()
        {
            Ensure(4);
            var v = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(_pos));
            _pos += 4;
            return v;
        }

        public void Skip(int count)
        {
            Ensure(count);
            _pos += count;
        }

        public string ReadString(int byteCount)
        {
            if (byteCount < 0)
            {
                throw new PgProtocolException($"invalid value length {byteCount}");
            }
            Ensure(byteCount);
            var s = Utf8.GetString(payload, _pos, byteCount);
            _pos += byteCount;
            return s;
        }

        public string ReadCString()
        {
            var end = Array.IndexOf(payload, (byte)0, _pos);
            if (end < 0)
            {
                throw new PgProtocolException("unterminated string in server message");
            }
            var s = Utf8.GetString(payload, _pos, end - _pos);
            _pos = end + 1;
            return s;
        }

        private void Ensure(int count)
        {
            if (count > Remaining)
            {
                throw new PgProtocolException("server message is shorter than its contents require");
            }
        }
    }
}
