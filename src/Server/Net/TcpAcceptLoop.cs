using System.Net;
using System.Net.Sockets;

namespace StreamSql.Server.Net;

/// <summary>
/// The accept loop every endpoint shares: listens, runs a handler per connection on its own task, and on dispose stops
/// accepting, cancels the handlers' token and waits (bounded) for them to finish.
/// </summary>
public sealed class TcpAcceptLoop : IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private readonly TcpListener _listener;
    private readonly Func<Socket, CancellationToken, Task> _serve;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private Task? _loop;

    public TcpAcceptLoop(IPAddress address, int port, Func<Socket, CancellationToken, Task> serve)
    {
        _listener = new TcpListener(address, port);
        _serve = serve;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections being served now.</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count(t => !t.IsCompleted);
            }
        }
    }

    public EndPoint LocalEndpoint => _listener.LocalEndpoint;

    /// <summary>Cancelled when the endpoint stops; handlers end their connection then.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public void Start()
    {
        _listener.Start();
        _loop = LoopAsync();
    }

    private async Task LoopAsync()
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
            var task = Task.Run(() => _serve(socket, _stopping.Token));
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
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        try
        {
            await Task.WhenAll(connections).WaitAsync(DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A connection that ignores cancellation must not hold up shutdown.
        }

        _stopping.Dispose();
    }
}
