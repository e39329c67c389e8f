using System.Buffers.Binary;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Pg;

/// <summary>Connection startup: SSL negotiation, CancelRequest, the startup packet's settings, authentication, and the initial ParameterStatus set.</summary>
public sealed partial class PgConnection
{
    private const int ProtocolVersion3 = 196608;
    private const int SslRequestCode = 80877103;
    private const int GssEncRequestCode = 80877104;
    private const int CancelRequestCode = 80877102;

    /// <summary>Settings PostgreSQL reports to the client whenever they change (GUC_REPORT), by session name and wire name.</summary>
    private static readonly (string Name, string WireName)[] ReportedSettings =
    [
        ("application_name", "application_name"), ("client_encoding", "client_encoding"), ("datestyle", "DateStyle"),
        ("intervalstyle", "IntervalStyle"), ("timezone", "TimeZone"), ("integer_datetimes", "integer_datetimes"),
        ("standard_conforming_strings", "standard_conforming_strings"), ("server_version", "server_version"),
    ];

    private readonly Dictionary<string, string> _reported = new(StringComparer.Ordinal);

    private async Task<bool> StartupAsync()
    {
        while (true)
        {
            var read = await _reader.ReadStartupAsync(_serverStopping).ConfigureAwait(false);
            if (read is not { } packet)
            {
                return false;
            }

            var code = BinaryPrimitives.ReadInt32BigEndian(packet.Span);
            switch (code)
            {
                case SslRequestCode:
                    await NegotiateTlsAsync().ConfigureAwait(false);
                    continue;
                case GssEncRequestCode:
                    // No GSSAPI encryption: 'N' tells the client to go on in plain text (or try SSL).
                    await _stream.WriteAsync(new[] { (byte)'N' }, _serverStopping).ConfigureAwait(false);
                    continue;
                case CancelRequestCode when packet.Length == 12:
                    _registry.Cancel(BinaryPrimitives.ReadInt32BigEndian(packet.Span[4..]), BinaryPrimitives.ReadInt32BigEndian(packet.Span[8..]));
                    return false;
                case CancelRequestCode:
                    throw new PgProtocolException($"invalid length of cancel request: {packet.Length + 4}");
                case ProtocolVersion3:
                    break;
                default:
                    await TrySendFatalAsync(SqlState.ProtocolViolation, $"unsupported frontend protocol {code >> 16}.{code & 0xffff}: server supports 3.0").ConfigureAwait(false);
                    return false;
            }

            var parameters = ReadStartupParameters(packet.Span[4..]);
            User = parameters.GetValueOrDefault("user", "");
            if (User.Length == 0)
            {
                await TrySendFatalAsync(SqlState.InvalidAuthorizationSpecification, "no PostgreSQL user name specified in startup packet").ConfigureAwait(false);
                return false;
            }

            try
            {
                ApplyStartupSettings(parameters);
            }
            catch (SqlException e)
            {
                await TrySendFatalAsync(PgError.From(e, cancelled: false) with { Severity = "FATAL" }).ConfigureAwait(false);
                return false;
            }

            if (!await AuthenticateAsync().ConfigureAwait(false))
            {
                return false;
            }

            (ProcessId, SecretKey) = _registry.Register(this);
            WriteAuthenticationOk();
            WriteParameterStatus("server_encoding", "UTF8");
            WriteParameterStatus("is_superuser", "on");
            WriteParameterStatus("session_authorization", User);
            ReportChangedSettings();
            _writer.StartMessage(BackendMessageCode.BackendKeyData);
            _writer.WriteInt32(ProcessId);
            _writer.WriteInt32(SecretKey);
            _writer.EndMessage();
            WriteReadyForQuery();
            await _writer.FlushAsync(_serverStopping).ConfigureAwait(false);
            Log.Debug("Connection {ProcessId} from {Remote} started for user {User}", ProcessId, _remote, User);
            return true;
        }
    }

    private static Dictionary<string, string> ReadStartupParameters(ReadOnlySpan<byte> body)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var cursor = new MessageCursor(body);
        while (!cursor.AtEnd)
        {
            var key = cursor.ReadCString();
            if (key.Length == 0)
            {
                break;
            }

            result[key] = cursor.ReadCString();
        }

        return result;
    }

    /// <summary>Startup parameters that name session settings (DateStyle, TimeZone, extra_float_digits, ...) and options' "-c name=value" set them.</summary>
    private void ApplyStartupSettings(Dictionary<string, string> parameters)
    {
        var settings = new List<(string Name, string Value)>();
        foreach (var (name, value) in parameters)
        {
            if (name == "options")
            {
                settings.AddRange(ParseOptions(value));
            }
            else if (name is not ("user" or "database" or "replication"))
            {
                settings.Add((name, value));
            }
        }

        foreach (var (name, value) in settings)
        {
            var key = name.ToLowerInvariant();
            if (SessionContext.Defaults.ContainsKey(key) && !SettingValues.ReadOnly.Contains(key))
            {
                _session.Set(key, SettingValues.Normalize(key, value, null, _session.Get(key)));
            }
        }
    }

    /// <summary>The startup "options" parameter: "-c name=value" or "--name=value", space separated.</summary>
    private static IEnumerable<(string, string)> ParseOptions(string options)
    {
        var words = options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            var pair = word == "-c" && i + 1 < words.Length ? words[++i]
                : word.StartsWith("-c", StringComparison.Ordinal) ? word[2..]
                : word.StartsWith("--", StringComparison.Ordinal) ? word[2..]
                : null;
            var eq = pair?.IndexOf('=') ?? -1;
            if (eq > 0)
            {
                yield return (pair![..eq].Replace('-', '_'), pair[(eq + 1)..]);
            }
        }
    }

    /// <summary>Sends ParameterStatus for every reported setting whose value differs from what the client was last told.</summary>
    private void ReportChangedSettings()
    {
        foreach (var (name, wireName) in ReportedSettings)
        {
            var value = _session.Get(name) ?? "";
            if (!_reported.TryGetValue(name, out var told) || told != value)
            {
                _reported[name] = value;
                WriteParameterStatus(wireName, value);
            }
        }
    }
}
