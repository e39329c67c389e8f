using System.Net;
using System.Net.Sockets;
using Serilog;
using StreamSql.Runtime.Engine;
using StreamSql.Server.Net;

namespace StreamSql.Server.Pg;

/// <summary>Accepts Postgres wire protocol connections and runs each on its own task.</summary>
public sealed class PgListener : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<PgListener>();
    private readonly TcpAcceptLoop _loop;
    private readonly StreamEngine _engine;
    private readonly PgServerSettings _settings;
    private readonly PgSessionRegistry _registry = new();

    public PgListener(IPAddress address, int port, StreamEngine engine, PgServerSettings? settings = null)
    {
        _engine = engine;
        _settings = settings ?? PgServerSettings.Default;
        _loop = new TcpAcceptLoop(address, port, ServeAsync);
    }

    public int Port => _loop.Port;

    public int ActiveConnections => _loop.ActiveConnections;

    public void Start()
    {
        _loop.Start();
        Log.Information("Postgres wire protocol listening on {Endpoint}", _loop.LocalEndpoint);
    }

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "unknown";
        await using var stream = new PgSocketStream(socket);
        var connection = new PgConnection(stream, remote, _engine, _registry, _settings, stopping);
        await connection.RunAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
