using System.Net;
using System.Net.Sockets;
using Serilog;
using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Groups;

namespace StreamSql.Server.Kafka;

/// <summary>The Kafka-protocol endpoint: accepts connections and serves each on its own task against the embedded topics.</summary>
public sealed class KafkaListener : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<KafkaListener>();
    private readonly TcpListener _listener;
    private readonly KafkaBroker _broker;
    private readonly KafkaHandlers _handlers = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private Task? _acceptLoop;

    /// <param name="streamUsingTopic">Names the catalog stream that uses a topic, or null; DeleteTopics refuses those.</param>
    public KafkaListener(IPAddress address, int port, ITopicStore topics, Func<string, string?> streamUsingTopic)
    {
        _listener = new TcpListener(address, port);
        _broker = new KafkaBroker(topics, new GroupCoordinator(topics), streamUsingTopic);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
        Log.Information("Kafka protocol listening on {Endpoint}", _listener.LocalEndpoint);
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
                await using var stream = new NetworkStream(socket, ownsSocket: true);
                var session = new KafkaSession(_broker, AdvertisedHost(socket), Port, socket.RemoteEndPoint);
                await new KafkaConnection(stream, session, _handlers, _stopping.Token).RunAsync().ConfigureAwait(false);
            });
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    // Clients are told to reconnect to the address they reached us on, which also works when bound to 0.0.0.0.
    private static string AdvertisedHost(Socket socket)
    {
        var address = ((IPEndPoint)socket.LocalEndPoint!).Address;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.ToString();
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
        _broker.Dispose();
        _stopping.Dispose();
    }
}
