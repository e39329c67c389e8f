namespace StreamSql.Runtime.Engine;

/// <summary>Per-connection state the engine needs: session settings (SET/RESET).</summary>
public sealed class SessionContext
{
    public const string AutoOffsetReset = "auto.offset.reset";

    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [AutoOffsetReset] = "earliest",
        ["application_name"] = "",
        ["client_encoding"] = "UTF8",
        ["datestyle"] = "ISO, MDY",
        ["timezone"] = "UTC",
        ["extra_float_digits"] = "1",
        ["search_path"] = "public",
        ["statement_timeout"] = "0",
        ["client_min_messages"] = "notice",
        ["standard_conforming_strings"] = "on",
        ["server_version"] = "15.0",
        ["integer_datetimes"] = "on",
        ["intervalstyle"] = "postgres",
        ["transaction_isolation"] = "read committed",
    };

    private readonly Dictionary<string, string> _settings = new(Defaults, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Settings => _settings;

    public bool FromLatest => string.Equals(_settings[AutoOffsetReset], "latest", StringComparison.OrdinalIgnoreCase);

    public string? Get(string name) => _settings.GetValueOrDefault(name.ToLowerInvariant());

    public void Set(string name, string value) => _settings[name.ToLowerInvariant()] = value;

    public void Reset(string? name)
    {
        if (name is null)
        {
            _settings.Clear();
            foreach (var (k, v) in Defaults)
            {
                _settings[k] = v;
            }

            return;
        }

        var key = name.ToLowerInvariant();
        _settings[key] = Defaults[key];
    }
}
