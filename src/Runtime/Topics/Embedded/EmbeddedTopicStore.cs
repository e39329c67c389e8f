using System.Text.Json;
using Serilog;

namespace StreamSql.Runtime.Topics.Embedded;

/// <summary>Embedded topics under &lt;data-dir&gt;/topics; each topic directory holds topic.json (its partition count) and one log per partition.</summary>
public sealed class EmbeddedTopicStore : ITopicStore
{
    private const string MetadataFile = "topic.json";
    private static readonly ILogger Log = Serilog.Log.ForContext<EmbeddedTopicStore>();
    private readonly object _gate = new();
    private readonly Dictionary<string, EmbeddedTopicLog> _topics = new(StringComparer.Ordinal);
    private readonly string _root;
    private readonly bool _syncWrites;

    /// <param name="syncWrites">Appends reach the disk before they are acknowledged (--fsync always), else the page cache.</param>
    public EmbeddedTopicStore(string dataDirectory, bool syncWrites = true)
    {
        _syncWrites = syncWrites;
        _root = Path.Combine(dataDirectory, "topics");
        Directory.CreateDirectory(_root);
        foreach (var directory in Directory.GetDirectories(_root))
        {
            var metadataPath = Path.Combine(directory, MetadataFile);
            if (!File.Exists(metadataPath))
            {
                continue;
            }

            var metadata = JsonSerializer.Deserialize<TopicMetadata>(File.ReadAllText(metadataPath))
                ?? throw new InvalidDataException($"corrupt topic metadata {metadataPath}");
            _topics[metadata.Name] = new EmbeddedTopicLog(metadata.Name, directory, metadata.Partitions, syncWrites);
        }

        Log.Information("Opened {TopicCount} embedded topics in {Directory}", _topics.Count, _root);
    }

    public ITopicLog? Find(string name)
    {
        lock (_gate)
        {
            return _topics.GetValueOrDefault(name);
        }
    }

    public ITopicLog GetOrCreate(string name, int partitions)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(name, out var existing))
            {
                return existing;
            }

            var directory = Path.Combine(_root, DirectoryName(name));
            Directory.CreateDirectory(directory);
            var topic = new EmbeddedTopicLog(name, directory, partitions, _syncWrites);
            var metadataPath = Path.Combine(directory, MetadataFile);
            using (var file = new FileStream(metadataPath + ".tmp", FileMode.Create, FileAccess.Write))
            {
                JsonSerializer.Serialize(file, new TopicMetadata(name, partitions));
                file.Flush(flushToDisk: true);
            }

            File.Move(metadataPath + ".tmp", metadataPath, overwrite: true);
            _topics[name] = topic;
            Log.Information("Created topic {Topic} with {Partitions} partitions", name, partitions);
            return topic;
        }
    }

    public IReadOnlyList<ITopicLog> List()
    {
        lock (_gate)
        {
            return _topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList<ITopicLog>();
        }
    }

    public void Delete(string name)
    {
        lock (_gate)
        {
            if (!_topics.Remove(name, out var topic))
            {
                return;
            }

            topic.Dispose();
            Directory.Delete(topic.Directory, recursive: true);
            Log.Information("Deleted topic {Topic}", name);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var topic in _topics.Values)
            {
                topic.Dispose();
            }

            _topics.Clear();
        }
    }

    // Topic names may hold characters a file system rejects; keep names readable and unique.
    private static string DirectoryName(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var safe = new string(chars);
        return safe == name ? safe : safe + "-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..8];
    }

    private sealed record TopicMetadata(string Name, int Partitions);
}
