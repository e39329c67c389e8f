using System.Data.Common;
using System.Globalization;

namespace StreamSql.SqlLogicTest;

/// <summary>
/// The subset of an Npgsql-style connection string the simple client understands. Keys are
/// case-insensitive; unknown keys (Password, Server Compatibility Mode, ...) are ignored.
/// </summary>
public sealed record PgConnectionSettings(string Host, int Port, string Username, string Database, TimeSpan ConnectTimeout)
{
    public static PgConnectionSettings Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };

        string? Get(params string[] keys)
        {
            foreach (var key in keys)
            {
                if (builder.TryGetValue(key, out var value) && value is not null && value.ToString() is { Length: > 0 } s)
                {
                    return s;
                }
            }
            return null;
        }

        var host = Get("Host", "Server") ?? "127.0.0.1";
        var portText = Get("Port") ?? "5432";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
        {
            throw new ArgumentException($"invalid Port '{portText}' in connection string", nameof(connectionString));
        }
        var user = Get("Username", "User Name", "User Id", "UserId", "User")
            ?? throw new ArgumentException("connection string has no Username", nameof(connectionString));
        var database = Get("Database", "DB") ?? user;
        var timeoutText = Get("Timeout");
        var timeout = TimeSpan.FromSeconds(15);
        if (timeoutText is not null)
        {
            if (!int.TryParse(timeoutText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
            {
                throw new ArgumentException($"invalid Timeout '{timeoutText}' in connection string", nameof(connectionString));
            }
            timeout = TimeSpan.FromSeconds(seconds);
        }
        return new PgConnectionSettings(host, port, user, database, timeout);
    }
}
