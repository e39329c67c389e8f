using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace StreamSql.Server.Pg;

/// <summary>Live connections by backend process id, so a CancelRequest on another connection can find its target.</summary>
public sealed class PgSessionRegistry
{
    private readonly ConcurrentDictionary<int, PgConnection> _connections = new();
    private int _nextProcessId = 1000;

    public (int ProcessId, int SecretKey) Register(PgConnection connection)
    {
        var pid = Interlocked.Increment(ref _nextProcessId);
        _connections[pid] = connection;
        return (pid, RandomNumberGenerator.GetInt32(int.MaxValue));
    }

    public void Unregister(int processId) => _connections.TryRemove(processId, out _);

    public void Cancel(int processId, int secretKey)
    {
        if (_connections.TryGetValue(processId, out var connection) && connection.SecretKey == secretKey)
        {
            connection.CancelCurrentQuery();
        }
    }

    public IReadOnlyCollection<PgConnection> Connections => (IReadOnlyCollection<PgConnection>)_connections.Values;
}
