using System.Net;
using System.Net.Sockets;
using Serilog;
using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Pg;

/// <summary>Accepts Postgres wire protocol connections and runs each on its own task.</summary>
public sealed class PgListener : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<PgListener>();
    private readonly TcpListener _listener;
    private readonly StreamEngine _engine;
    private readonly PgServerSettings _settings;
    private readonly PgSessionRegistry _registry = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private Task? _acceptLoop;

    public PgListener(IPAddress address, int port, StreamEngine engine, PgServerSettings? settings = null)
    {
        _listener = new TcpListener(address, port);
        _engine = engine;
        _settings = settings ?? PgServerSettings.Default;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
        Log.Information("Postgres wire protocol listening on {Endpoint}", _listener.LocalEndpoint);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            var task = Task.Run(async () =>
            {
                var remote = socket.RemoteEndPoint?.ToString() ?? "unknown";
                await using var stream = new PgSocketStream(socket);
                var connection = new PgConnection(stream, remote, _engine, _registry, _settings, _stopping.Token);
                await connection.RunAsync().ConfigureAwait(false);
            });
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
