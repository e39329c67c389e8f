using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Serilog;
using StreamSql.Runtime.Engine;
using StreamSql.Server.Http;
using StreamSql.Server.Kafka;
using StreamSql.Server.Pg;

namespace StreamSql.Server;

/// <summary>The whole server: the engine plus its network endpoints; started by Program and, in-process, by tests.</summary>
public sealed class StreamSqlServer : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<StreamSqlServer>();
    private readonly StreamEngine _engine;
    private readonly PgListener _pg;
    private readonly HealthEndpoint _http;
    private readonly KafkaListener? _kafka;

    private StreamSqlServer(ServerOptions options, StreamEngine engine, PgServerSettings pgSettings, Prometheus.CollectorRegistry registry)
    {
        Options = options;
        _engine = engine;
        _pg = new PgListener(options.Bind, options.PgPort, engine, pgSettings);
        _http = new HealthEndpoint(options.Bind, options.HttpPort, engine, () => _pg.ActiveConnections, registry);
        // In Kafka mode clients talk to the cluster itself; serving its topics again from here would only add a hop.
        _kafka = options.Kafka is null ? new KafkaListener(options.Bind, options.KafkaPort, engine.StoredTopics, StreamUsingTopic) : null;
    }

    public ServerOptions Options { get; }

    public StreamEngine Engine => _engine;

    public int PgPort => _pg.Port;

    public int HttpPort => _http.Port;

    /// <summary>The bound Kafka-protocol port (the free port picked when the option was 0); 0 in Kafka mode, where the endpoint does not run.</summary>
    public int KafkaPort => _kafka?.Port ?? 0;

    public static async Task<StreamSqlServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        var pgSettings = PgSettings(options, dataDirectory);
        // The registry exists before the engine, so queries resumed at start feed their latency histograms too.
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var latency = MetricsExporter.CreateLatencyHistogram(registry);
        var engine = await StreamEngine.OpenAsync(new EngineOptions(dataDirectory) { QueryLatencyObserver = id => latency.WithLabels(id).Observe, KafkaBootstrapServers = options.Kafka, ServiceId = options.ServiceId, StateMemoryBytes = options.StateMemory, CheckpointInterval = options.CheckpointInterval, SyncWrites = options.Fsync, Properties = options.Properties() }, cancellationToken).ConfigureAwait(false);
        engine.Catalog.SystemRelations = new PgCatalogRelations("streamsql");
        var server = new StreamSqlServer(options, engine, pgSettings, registry);
        try
        {
            server._pg.Start();
            server._http.Start();
            server._kafka?.Start();
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (options.Kafka is null)
        {
            Log.Information("StreamSql ready: data in {DataDirectory}, psql -h {Host} -p {PgPort} -U streamsql streamsql, Kafka clients on port {KafkaPort}",
                engine.Options.DataDirectory, options.Bind, server.PgPort, server.KafkaPort);
        }
        else
        {
            Log.Information("StreamSql ready in Kafka mode: topics in {Kafka}, query offsets in {DataDirectory}, psql -h {Host} -p {PgPort} -U streamsql streamsql",
                options.Kafka, engine.Options.DataDirectory, options.Bind, server.PgPort);
        }
        return server;
    }

    private string? StreamUsingTopic(string topic)
    {
        foreach (var stream in _engine.Catalog.Streams())
        {
            if (stream.Topic == topic)
            {
                return stream.Name;
            }
        }

        return null;
    }

    /// <summary>Authentication, users (flags, then users.json in the data directory) and the TLS certificate for the pgwire listener.</summary>
    private static PgServerSettings PgSettings(ServerOptions options, string dataDirectory)
    {
        var users = new PgUserStore(Path.Combine(dataDirectory, "users.json"));
        foreach (var (name, password) in options.Users)
        {
            users.AddFromFlag(name, password);
        }

        var certificate = options.TlsCertificate is null ? null : LoadCertificate(options.TlsCertificate, options.TlsKey!);
        return new PgServerSettings(options.Auth, users, certificate);
    }

    private static X509Certificate2 LoadCertificate(string certificatePath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception e) when (e is CryptographicException or FileNotFoundException or DirectoryNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"cannot load the TLS certificate {certificatePath} with key {keyPath}: {e.Message}", e);
        }
    }

    private int _disposed;

    /// <summary>Stops the listeners, then the engine (queries take a final checkpoint); a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _pg.DisposeAsync().ConfigureAwait(false);
        if (_kafka is not null)
        {
            await _kafka.DisposeAsync().ConfigureAwait(false);
        }
        await _http.DisposeAsync().ConfigureAwait(false);
        await _engine.DisposeAsync().ConfigureAwait(false);
        Log.Information("StreamSql stopped");
    }
}
