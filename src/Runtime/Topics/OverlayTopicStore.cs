namespace StreamSql.Runtime.Topics;

/// <summary>
/// A topic store plus topics that exist only in this process (generated sources such as a Nexmark stream with
/// nexmark_storage='none'): the engine finds both by name; Kafka clients, served from the underlying store, see only
/// the stored ones.
/// </summary>
public sealed class OverlayTopicStore(ITopicStore stored) : ITopicStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ITopicLog> _process = new(StringComparer.Ordinal);

    /// <summary>Adds (or replaces) a process-only topic.</summary>
    public void Register(ITopicLog topic) => _process[topic.Name] = topic;

    public bool IsProcessOnly(string name) => _process.ContainsKey(name);

    public ITopicLog? Find(string name) => _process.TryGetValue(name, out var topic) ? topic : stored.Find(name);

    public ITopicLog GetOrCreate(string name, int partitions) => _process.TryGetValue(name, out var topic) ? topic : stored.GetOrCreate(name, partitions);

    public IReadOnlyList<ITopicLog> List() => [.. stored.List(), .. _process.Values];

    public void Delete(string name)
    {
        if (!_process.TryRemove(name, out _))
        {
            stored.Delete(name);
        }
    }

    public ITransactionalOutput? OpenTransactionalOutput(string queryId) => stored.OpenTransactionalOutput(queryId);

    public void Dispose() => stored.Dispose();
}
