using System.Globalization;
using System.Net;
using StreamSql.Server.Pg;

namespace StreamSql.Server;

/// <summary>Command-line flags and STREAMSQL_* environment variables; a flag wins over the environment.</summary>
public sealed record ServerOptions
{
    public string DataDirectory { get; init; } = "./data";

    public IPAddress Bind { get; init; } = IPAddress.Loopback;

    public int PgPort { get; init; } = 5433;

    public int KafkaPort { get; init; } = 9092;

    public int HttpPort { get; init; } = 8080;

    /// <summary>Kafka mode: bootstrap servers of the cluster holding every topic; null runs on embedded topics.</summary>
    public string? Kafka { get; init; }

    /// <summary>Names this server's internal topics in Kafka mode (_streamsql-&lt;id&gt;-command_log).</summary>
    public string ServiceId { get; init; } = "default";

    /// <summary>Memory budget in bytes shared by all state stores (each a stateful query's or a table's partition); the rest spills to the data directory.</summary>
    public long StateMemory { get; init; } = 64L << 20;

    /// <summary>How often each stateful query partition checkpoints its state.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>--fsync always: topic appends, state store pages, query offset commits and intents are flushed to disk before they count; never: written to the OS page cache.</summary>
    public bool Fsync { get; init; } = true;

    public string LogLevel { get; init; } = "information";

    /// <summary>text (human-readable lines) or json (Serilog's compact JSON, one event a line).</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>How pgwire clients authenticate: trust (default), password (cleartext) or scram (SCRAM-SHA-256).</summary>
    public PgAuthMethod Auth { get; init; } = PgAuthMethod.Trust;

    /// <summary>Users from --user name:password flags (besides those made with CREATE USER).</summary>
    public IReadOnlyList<(string Name, string Password)> Users { get; init; } = [];

    /// <summary>PEM certificate and key for TLS; when both are set, SSLRequest is answered 'S'.</summary>
    public string? TlsCertificate { get; init; }

    public string? TlsKey { get; init; }

    public bool ShowHelp { get; init; }

    /// <summary>The effective settings as SHOW PROPERTIES lists them; passwords and key paths are not shown.</summary>
    public IReadOnlyList<(string Name, string Value)> Properties() =>
    [
        ("bind", Bind.ToString()),
        ("pg_port", PgPort.ToString(CultureInfo.InvariantCulture)),
        ("kafka_port", Kafka is null ? KafkaPort.ToString(CultureInfo.InvariantCulture) : "(not served in Kafka mode)"),
        ("http_port", HttpPort.ToString(CultureInfo.InvariantCulture)),
        ("kafka", Kafka ?? "(embedded topics)"),
        ("service_id", ServiceId),
        ("state_memory", StateMemory.ToString(CultureInfo.InvariantCulture)),
        ("checkpoint_interval", CheckpointInterval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms"),
        ("fsync", Fsync ? "always" : "never"),
        ("log_level", LogLevel),
        ("log_format", LogFormat),
        ("auth", Auth.ToString().ToLowerInvariant()),
        ("users", Users.Count.ToString(CultureInfo.InvariantCulture)),
        ("tls", TlsCertificate is null ? "off" : "on"),
    ];

    public const string Help = """
        streamsql - a streaming SQL database server speaking the PostgreSQL wire protocol

        Usage: streamsql [options]

        Options (each also read from the environment variable shown; a flag wins):
          --data-dir <path>     Where topics, the catalog log and query state live.   STREAMSQL_DATA_DIR   (default ./data)
          --bind <address>      Address every listener binds to.                      STREAMSQL_BIND       (default 127.0.0.1)
          --pg-port <port>      PostgreSQL wire protocol port (psql, Npgsql, ...).    STREAMSQL_PG_PORT    (default 5433)
          --kafka-port <port>   Kafka protocol endpoint for embedded topics.          STREAMSQL_KAFKA_PORT (default 9092)
          --http-port <port>    HTTP health (/health) and Prometheus metrics.         STREAMSQL_HTTP_PORT  (default 8080)
          --kafka <host:port,...>  Kafka mode: keep every topic (and the catalog log) in this Kafka cluster
                                instead of the data directory; the Kafka endpoint is then not started.  STREAMSQL_KAFKA
          --service-id <id>     Kafka mode: names internal topics _streamsql-<id>-*. STREAMSQL_SERVICE_ID (default default)
          --state-memory <size> Memory shared by all state stores (one per partition of a stateful query or table; 64MB,
                                1GB, bytes); the rest spills to the data directory. STREAMSQL_STATE_MEMORY (default 64MB)
          --checkpoint-interval <time>  How often stateful queries checkpoint their state (500ms, 5s, 1m).
                                                                                STREAMSQL_CHECKPOINT_INTERVAL (default 5s)
          --fsync <policy>      always: topic appends (INSERT, Kafka produce, query output), state store pages and
                                query offset commits reach stable storage before they are acknowledged; never: the
                                OS page cache (nothing is lost when the server is killed, but a power loss may lose
                                the last writes, as Kafka's default).                STREAMSQL_FSYNC      (default always)
          --log-level <level>   verbose, debug, information, warning, error, fatal.   STREAMSQL_LOG_LEVEL  (default information)
          --log-format <format> text (human-readable) or json (one JSON object a line). STREAMSQL_LOG_FORMAT (default text)
          --auth <method>       trust, password (cleartext) or scram (SCRAM-SHA-256). STREAMSQL_AUTH       (default trust)
          --user <name:pass>    A login user; repeat for more (env: comma-separated). STREAMSQL_USERS
          --tls-cert <path>     PEM certificate for TLS (with --tls-key).             STREAMSQL_TLS_CERT
          --tls-key <path>      PEM private key of the TLS certificate.               STREAMSQL_TLS_KEY
          -h, --help            Show this help and exit.

        Port 0 picks a free port. Connect with: psql -h 127.0.0.1 -p 5433 -U streamsql streamsql
        Users can also be made in SQL: CREATE USER name PASSWORD 'secret' (kept in the data directory).
        """;

    private static readonly HashSet<string> KnownOptions =
        ["--data-dir", "--bind", "--pg-port", "--kafka-port", "--http-port", "--log-level", "--log-format", "--kafka", "--service-id", "--state-memory", "--checkpoint-interval", "--fsync", "--auth", "--user", "--tls-cert", "--tls-key"];

    public static ServerOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var options = new ServerOptions();
        options = Apply(options, "--data-dir", environment("STREAMSQL_DATA_DIR"));
        options = Apply(options, "--bind", environment("STREAMSQL_BIND"));
        options = Apply(options, "--pg-port", environment("STREAMSQL_PG_PORT"));
        options = Apply(options, "--kafka-port", environment("STREAMSQL_KAFKA_PORT"));
        options = Apply(options, "--http-port", environment("STREAMSQL_HTTP_PORT"));
        options = Apply(options, "--log-level", environment("STREAMSQL_LOG_LEVEL"));
        options = Apply(options, "--log-format", environment("STREAMSQL_LOG_FORMAT"));
        options = Apply(options, "--kafka", environment("STREAMSQL_KAFKA"));
        options = Apply(options, "--service-id", environment("STREAMSQL_SERVICE_ID"));
        options = Apply(options, "--state-memory", environment("STREAMSQL_STATE_MEMORY"));
        options = Apply(options, "--checkpoint-interval", environment("STREAMSQL_CHECKPOINT_INTERVAL"));
        options = Apply(options, "--fsync", environment("STREAMSQL_FSYNC"));
        options = Apply(options, "--auth", environment("STREAMSQL_AUTH"));
        options = Apply(options, "--tls-cert", environment("STREAMSQL_TLS_CERT"));
        options = Apply(options, "--tls-key", environment("STREAMSQL_TLS_KEY"));
        foreach (var user in (environment("STREAMSQL_USERS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            options = Apply(options, "--user", user);
        }
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                return options with { ShowHelp = true };
            }

            string name = arg;
            string? value;
            if (!KnownOptions.Contains(arg.Split('=')[0]))
            {
                throw new ArgumentException($"unknown option {arg} (see --help)");
            }

            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"option {arg} needs a value");
            }

            options = Apply(options, name, value);
        }

        if ((options.TlsCertificate is null) != (options.TlsKey is null))
        {
            throw new ArgumentException("--tls-cert and --tls-key go together");
        }

        return options;
    }

    private static ServerOptions Apply(ServerOptions options, string name, string? value)
    {
        if (value is null)
        {
            return options;
        }

        return name switch
        {
            "--data-dir" => options with { DataDirectory = value },
            "--bind" => options with { Bind = IPAddress.TryParse(value, out var ip) ? ip : throw new ArgumentException($"--bind: \"{value}\" is not an IP address") },
            "--pg-port" => options with { PgPort = Port(name, value) },
            "--kafka-port" => options with { KafkaPort = Port(name, value) },
            "--http-port" => options with { HttpPort = Port(name, value) },
            "--kafka" => options with { Kafka = BootstrapServers(value) },
            "--state-memory" => options with { StateMemory = ParseSize(value) },
            "--checkpoint-interval" => options with { CheckpointInterval = ParseInterval(value) },
            "--fsync" => options with
            {
                Fsync = value.ToLowerInvariant() switch
                {
                    "always" => true,
                    "never" => false,
                    _ => throw new ArgumentException($"--fsync: expected always or never, not \"{value}\""),
                },
            },
            "--service-id" => options with { ServiceId = value.Length is > 0 and <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.') ? value : throw new ArgumentException($"--service-id: \"{value}\" must be 1-100 letters, digits, '_' or '.'") },
            "--log-format" => options with { LogFormat = value.ToLowerInvariant() is "text" or "json" ? value.ToLowerInvariant() : throw new ArgumentException($"--log-format: expected text or json, not \"{value}\"") },
            "--log-level" => options with { LogLevel = value.ToLowerInvariant() is "verbose" or "debug" or "information" or "info" or "warning" or "error" or "fatal" ? value.ToLowerInvariant() : throw new ArgumentException($"--log-level: unknown level \"{value}\"") },
            "--auth" => options with
            {
                Auth = value.ToLowerInvariant() switch
                {
                    "trust" => PgAuthMethod.Trust,
                    "password" => PgAuthMethod.Password,
                    "scram" or "scram-sha-256" => PgAuthMethod.Scram,
                    _ => throw new ArgumentException($"--auth: unknown method \"{value}\" (trust, password or scram)"),
                },
            },
            "--user" => options with { Users = [.. options.Users, User(value)] },
            "--tls-cert" => options with { TlsCertificate = value },
            "--tls-key" => options with { TlsKey = value },
            _ => throw new ArgumentException($"unknown option {name} (see --help)"),
        };
    }

    private static string BootstrapServers(string value)
    {
        var servers = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var server in servers)
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0)
            {
                throw new ArgumentException($"--kafka: \"{server}\" is not host:port");
            }

            Port("--kafka", server[(colon + 1)..]);
        }

        return servers.Length > 0 ? string.Join(',', servers) : throw new ArgumentException("--kafka: no host:port given");
    }

    private static (string, string) User(string value)
    {
        var colon = value.IndexOf(':');
        return colon > 0 ? (value[..colon], value[(colon + 1)..]) : throw new ArgumentException($"--user: expected name:password, not \"{value}\"");
    }

    private static int Port(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new ArgumentException($"{name}: \"{value}\" is not a port number");

    /// <summary>A time: a number with ms, s or m (100ms to 1 hour).</summary>
    private static TimeSpan ParseInterval(string value)
    {
        var text = value.Trim().ToLowerInvariant();
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : (text, 1000.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount * unit < 100 || amount * unit > 3_600_000)
        {
            throw new ArgumentException($"--checkpoint-interval: \"{value}\" is not a time between 100ms and 1h (e.g. 500ms, 5s, 1m)");
        }

        return TimeSpan.FromMilliseconds(amount * unit);
    }

    /// <summary>A byte size: a number with an optional KB, MB or GB (powers of 1024); at least 1 MB.</summary>
    private static long ParseSize(string value)
    {
        var text = value.Trim().ToUpperInvariant();
        var multiplier = 1L;
        foreach (var (suffix, factor) in new[] { ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1L) })
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                text = text[..^suffix.Length].TrimEnd();
                multiplier = factor;
                break;
            }
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0 || number > (1L << 50) / multiplier)
        {
            throw new ArgumentException($"--state-memory: \"{value}\" is not a size (e.g. 64MB, 1GB)");
        }

        var bytes = number * multiplier;
        return bytes >= 1L << 20 ? bytes : throw new ArgumentException($"--state-memory: \"{value}\" is less than 1MB");
    }
}
