using System.Net;
using Npgsql;
using StreamSql.Server;

namespace StreamSql.EndToEnd.Tests;

/// <summary>An in-process StreamSql on free ports with its own data directory; can be restarted on the same data.</summary>
public sealed class TestServer : IAsyncDisposable
{
    static TestServer() => CapturedLog.Install();

    private TestServer(string dataDirectory, bool ownsDirectory, string? kafka, Func<ServerOptions, ServerOptions>? configure)
    {
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        _kafka = kafka;
        _configure = configure ?? (o => o);
    }

    private readonly string? _kafka;

    private readonly bool _ownsDirectory;
    private readonly Func<ServerOptions, ServerOptions> _configure;

    public string DataDirectory { get; }

    public StreamSqlServer Server { get; private set; } = null!;

    public int PgPort => Server.PgPort;

    public int KafkaPort => Server.KafkaPort;

    /// <summary>bootstrap.servers for Kafka clients (Confluent.Kafka, kcat -b).</summary>
    public string KafkaBootstrap => $"127.0.0.1:{KafkaPort}";

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={PgPort};Username=streamsql;Database=streamsql;Server Compatibility Mode=NoTypeLoading;Pooling=false;Timeout=30;Command Timeout=60";

    /// <param name="kafka">Kafka mode: the bootstrap servers of the cluster (e.g. another TestServer's KafkaBootstrap).</param>
    /// <param name="configure">Changes to the options (authentication, TLS), kept across restarts.</param>
    public static async Task<TestServer> StartAsync(string? dataDirectory = null, string? kafka = null, Func<ServerOptions, ServerOptions>? configure = null)
    {
        var server = new TestServer(dataDirectory ?? Directory.CreateTempSubdirectory("streamsql-e2e-").FullName, dataDirectory is null, kafka, configure);
        await server.StartServerAsync();
        return server;
    }

    private async Task StartServerAsync() =>
        Server = await StreamSqlServer.StartAsync(_configure(new ServerOptions { DataDirectory = DataDirectory, Bind = IPAddress.Loopback, PgPort = 0, KafkaPort = 0, HttpPort = 0, Kafka = _kafka }));

    /// <summary>Stops the server cleanly (as SIGTERM does) and starts a new one on the same data directory.</summary>
    public async Task RestartAsync()
    {
        await Server.DisposeAsync();
        await StartServerAsync();
    }

    public async Task<NpgsqlConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_ownsDirectory)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
