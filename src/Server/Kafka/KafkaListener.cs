using System.Net;
using System.Net.Sockets;
using Serilog;
using StreamSql.Runtime.Topics;
using StreamSql.Server.Net;
using StreamSql.Server.Kafka.Groups;

namespace StreamSql.Server.Kafka;

/// <summary>The Kafka-protocol endpoint: accepts connections and serves each on its own task against the embedded topics.</summary>
public sealed class KafkaListener : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<KafkaListener>();
    private readonly TcpAcceptLoop _loop;
    private readonly KafkaBroker _broker;
    private readonly KafkaHandlers _handlers = new();

    /// <param name="streamUsingTopic">Names the catalog stream that uses a topic, or null; DeleteTopics refuses those.</param>
    public KafkaListener(IPAddress address, int port, ITopicStore topics, Func<string, string?> streamUsingTopic)
    {
        _broker = new KafkaBroker(topics, new GroupCoordinator(topics), streamUsingTopic);
        _loop = new TcpAcceptLoop(address, port, ServeAsync);
    }

    public int Port => _loop.Port;

    public void Start()
    {
        _loop.Start();
        Log.Information("Kafka protocol listening on {Endpoint}", _loop.LocalEndpoint);
    }

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var session = new KafkaSession(_broker, AdvertisedHost(socket), Port, socket.RemoteEndPoint);
        await new KafkaConnection(stream, session, _handlers, stopping).RunAsync().ConfigureAwait(false);
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
        await _loop.DisposeAsync().ConfigureAwait(false);
        _broker.Dispose();
    }
}
