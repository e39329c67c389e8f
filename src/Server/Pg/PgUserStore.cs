using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StreamSql.Parser.Errors;

namespace StreamSql.Server.Pg;

/// <summary>
/// Login users and their SCRAM secrets: from --user flags (kept in memory) and CREATE USER (kept in users.json in the data
/// directory, secrets only). Unknown users get a made-up secret so that failing looks the same for them as for a wrong password.
/// </summary>
public sealed class PgUserStore
{
    private readonly ConcurrentDictionary<string, ScramSecret> _fromFlags = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ScramSecret> _users = new(StringComparer.Ordinal);
    private readonly string? _path;
    private readonly byte[] _mockKey = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _saving = new();

    /// <param name="path">Where CREATE USER keeps users; null keeps them in memory only.</param>
    public PgUserStore(string? path)
    {
        _path = path;
        if (path is not null && File.Exists(path))
        {
            try
            {
                foreach (var user in JsonSerializer.Deserialize<List<StoredUser>>(File.ReadAllBytes(path)) ?? [])
                {
                    _users[user.Name] = new ScramSecret(Convert.FromBase64String(user.Salt), user.Iterations, Convert.FromBase64String(user.StoredKey), Convert.FromBase64String(user.ServerKey));
                }
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                throw new InvalidDataException($"{path} is corrupt: {e.Message}", e);
            }
        }
    }

    /// <summary>Adds a user from the command line; it is not written to disk and wins over a stored user of that name.</summary>
    public void AddFromFlag(string name, string password) => _fromFlags[name] = ScramSecret.Create(password);

    /// <summary>CREATE USER: 42710 when the name is taken; persisted when the store has a file.</summary>
    public void Create(string name, string password, int? position)
    {
        if (_fromFlags.ContainsKey(name) || !_users.TryAdd(name, ScramSecret.Create(password)))
        {
            throw new SqlException(SqlState.DuplicateObject, $"role \"{name}\" already exists", position);
        }

        Save();
    }

    public ScramSecret? Find(string name) => _fromFlags.GetValueOrDefault(name) ?? _users.GetValueOrDefault(name);

    /// <summary>A stable fake secret for a user that does not exist (PostgreSQL's mock authentication).</summary>
    public ScramSecret Mock(string name)
    {
        var salt = HMACSHA256.HashData(_mockKey, Encoding.UTF8.GetBytes(name))[..16];
        return new ScramSecret(salt, ScramSecret.DefaultIterations, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
    }

    private void Save()
    {
        if (_path is null)
        {
            return;
        }

        lock (_saving)
        {
            var users = _users.Select(u => new StoredUser(u.Key, Convert.ToBase64String(u.Value.Salt), u.Value.Iterations,
                Convert.ToBase64String(u.Value.StoredKey), Convert.ToBase64String(u.Value.ServerKey))).OrderBy(u => u.Name, StringComparer.Ordinal).ToList();
            var temporary = _path + ".tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(users));
            File.Move(temporary, _path, overwrite: true);
        }
    }

    private sealed record StoredUser(string Name, string Salt, int Iterations, string StoredKey, string ServerKey);
}
