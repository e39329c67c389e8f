using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Serilog;
using StreamSql.Runtime.Engine;
using StreamSql.Server.Http;
using StreamSql.Server.Pg;

namespace StreamSql.Server;

/// <summary>The whole server: the engine plus its network endpoints; started by Program and, in-process, by tests.</summary>
public sealed class StreamSqlServer : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<StreamSqlServer>();
    private readonly StreamEngine _engine;
    private readonly PgListener _pg;
    private readonly HealthEndpoint _http;

    private StreamSqlServer(ServerOptions options, StreamEngine engine, PgServerSettings pgSettings)
    {
        Options = options;
        _engine = engine;
        _pg = new PgListener(options.Bind, options.PgPort, engine, pgSettings);
        _http = new HealthEndpoint(options.Bind, options.HttpPort, engine);
    }

    public ServerOptions Options { get; }

    public StreamEngine Engine => _engine;

    public int PgPort => _pg.Port;

    public int HttpPort => _http.Port;

    public static async Task<StreamSqlServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        var pgSettings = PgSettings(options, dataDirectory);
        var engine = await StreamEngine.OpenAsync(new EngineOptions(dataDirectory), cancellationToken).ConfigureAwait(false);
        var server = new StreamSqlServer(options, engine, pgSettings);
        try
        {
            server._pg.Start();
            server._http.Start();
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // The Kafka-protocol endpoint (issue 6) is not served yet; the flag is accepted so configurations stay valid.
        Log.Information("StreamSql ready: data in {DataDirectory}, psql -h {Host} -p {PgPort} -U streamsql streamsql",
            engine.Options.DataDirectory, options.Bind, server.PgPort);
        return server;
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

    public async ValueTask DisposeAsync()
    {
        await _pg.DisposeAsync().ConfigureAwait(false);
        await _http.DisposeAsync().ConfigureAwait(false);
        await _engine.DisposeAsync().ConfigureAwait(false);
        Log.Information("StreamSql stopped");
    }
}
