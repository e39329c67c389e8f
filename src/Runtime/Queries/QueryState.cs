using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Serilog;
using StreamSql.Runtime.State;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// The state stores of a stateful query and their checkpoints. A checkpoint of a partition makes each of its stores
/// durable (FASTER checkpoint) and then records, in one manifest written atomically, the tokens and the source offset the
/// state corresponds to, with a checksum. At start each store is restored from the newest manifest that verifies (or the
/// one before it); the query then replays its input from that offset, so a checkpoint only shortens recovery, and a
/// missing or unusable one costs a longer replay, never lost or doubled output.
/// </summary>
public sealed class QueryState : IDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<QueryState>();
    private readonly IStateStoreProvider _provider;
    private readonly string _storePrefix;
    private readonly string _manifestDirectory;
    private readonly Dictionary<int, Manifest?> _restored = [];
    private readonly Dictionary<int, List<(string Name, IStateStore Store)>> _stores = [];
    private readonly HashSet<int> _failedRestore = [];

    /// <param name="storePrefix">Store names are prefix/p{partition}-{name}.</param>
    /// <param name="manifestDirectory">Where the checkpoint manifests live (the query's offsets directory).</param>
    public QueryState(IStateStoreProvider provider, string storePrefix, string manifestDirectory)
    {
        _provider = provider;
        _storePrefix = storePrefix;
        _manifestDirectory = manifestDirectory;
        Directory.CreateDirectory(manifestDirectory);
    }

    /// <summary>Opens a partition's store, restored from the partition's checkpoint when there is a usable one.</summary>
    public IStateStore Open(int partition, string name)
    {
        var manifest = RestoredManifest(partition);
        var storeName = $"{_storePrefix}/p{partition}-{name}";
        IStateStore store;
        if (manifest is not null && manifest.Tokens.TryGetValue(name, out var token) && !RestoreFailed(partition))
        {
            try
            {
                store = _provider.Open(storeName, token);
            }
            catch (Exception e)
            {
                // The data behind the checkpoint is unusable: start this partition's state over (the input replays from the start).
                Log.Error(e, "State store {Store} could not be restored from checkpoint {Token}; rebuilding partition {Partition} from its input", storeName, token, partition);
                lock (_failedRestore)
                {
                    _failedRestore.Add(partition);
                }

                store = _provider.Open(storeName);
            }
        }
        else
        {
            store = _provider.Open(storeName);
        }

        lock (_stores)
        {
            if (!_stores.TryGetValue(partition, out var list))
            {
                _stores[partition] = list = [];
            }

            list.Add((name, store));
        }

        return store;
    }

    /// <summary>
    /// The source offset the partition's restored state corresponds to: replay from here. Null when the state is empty
    /// (replay from the start). Valid once every store of the partition is open.
    /// </summary>
    public long? RestoredOffset(int partition)
    {
        if (RestoreFailed(partition) || RestoredManifest(partition) is not { } manifest)
        {
            return null;
        }

        lock (_stores)
        {
            // Every store the manifest names must have been restored from it.
            var open = _stores.TryGetValue(partition, out var list) ? list.Select(s => s.Name).ToHashSet() : [];
            return manifest.Tokens.Keys.All(open.Contains) && open.All(manifest.Tokens.ContainsKey) ? manifest.Offset : null;
        }
    }

    /// <summary>Checkpoints every store of the partition, then records them with the offset their state corresponds to.</summary>
    public void Checkpoint(int partition, long offset)
    {
        List<(string Name, IStateStore Store)> stores;
        lock (_stores)
        {
            if (!_stores.TryGetValue(partition, out var list))
            {
                return;
            }

            stores = [.. list];
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var tokens = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, store) in stores)
        {
            tokens[name] = store.Checkpoint();
        }

        var body = Serialize(offset, tokens);
        var path = ManifestPath(partition);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 256, FileOptions.WriteThrough))
        {
            stream.Write(Encoding.UTF8.GetBytes(body + "checksum " + Checksum(body) + "\n"));
            stream.Flush(flushToDisk: true);
        }

        if (File.Exists(path))
        {
            File.Move(path, path + ".previous", overwrite: true);
        }

        File.Move(temp, path);
        Interlocked.Increment(ref _checkpoints);
        LastCheckpointMillis = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LastCheckpointAt = DateTimeOffset.UtcNow;
        Log.Debug("Checkpointed {Prefix} partition {Partition} at offset {Offset} in {Millis} ms", _storePrefix, partition, offset, LastCheckpointMillis);
    }

    private long _checkpoints;

    /// <summary>Checkpoints taken since start.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    public long LastCheckpointMillis { get; private set; }

    public DateTimeOffset? LastCheckpointAt { get; private set; }

    public IReadOnlyList<IStateStore> Stores
    {
        get
        {
            lock (_stores)
            {
                return _stores.Values.SelectMany(l => l.Select(s => s.Store)).ToList();
            }
        }
    }

    // Partitions open their stores from their own tasks (table readers, join tasks).
    private bool RestoreFailed(int partition)
    {
        lock (_failedRestore)
        {
            return _failedRestore.Contains(partition);
        }
    }

    private Manifest? RestoredManifest(int partition)
    {
        lock (_restored)
        {
            if (!_restored.TryGetValue(partition, out var manifest))
            {
                var path = ManifestPath(partition);
                manifest = Read(path) ?? Read(path + ".previous");
                _restored[partition] = manifest;
            }

            return manifest;
        }
    }

    /// <summary>A manifest, or null when it is missing, incomplete or fails its checksum (logged: the previous one or a replay takes over).</summary>
    private static Manifest? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path);
        var checksumAt = text.LastIndexOf("checksum ", StringComparison.Ordinal);
        if (checksumAt < 0 || text[(checksumAt + 9)..].Trim() != Checksum(text[..checksumAt]))
        {
            Log.Warning("Checkpoint manifest {Path} is incomplete or corrupt (checksum mismatch); using the previous checkpoint", path);
            return null;
        }

        var lines = text[..checksumAt].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var offset = long.Parse(lines[0]["offset ".Length..], CultureInfo.InvariantCulture);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split(' ');
            tokens[parts[1]] = parts[2];
        }

        return new Manifest(offset, tokens);
    }

    private static string Serialize(long offset, SortedDictionary<string, string> tokens)
    {
        var builder = new StringBuilder();
        builder.Append("offset ").Append(offset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (name, token) in tokens)
        {
            builder.Append("store ").Append(name).Append(' ').Append(token).Append('\n');
        }

        return builder.ToString();
    }

    private static string Checksum(string body) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    private string ManifestPath(int partition) => Path.Combine(_manifestDirectory, $"p{partition}.checkpoint");

    public void Dispose()
    {
        foreach (var store in Stores)
        {
            store.Dispose();
        }
    }

    private sealed record Manifest(long Offset, Dictionary<string, string> Tokens);
}
