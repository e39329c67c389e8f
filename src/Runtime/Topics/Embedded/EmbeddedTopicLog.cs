namespace StreamSql.Runtime.Topics.Embedded;

/// <summary>A topic in the data directory: one <see cref="EmbeddedPartition"/> per partition under topics/&lt;name&gt;/&lt;n&gt;.</summary>
internal sealed class EmbeddedTopicLog : ITopicLog, IDisposable
{
    private readonly EmbeddedPartition[] _partitions;

    public EmbeddedTopicLog(string name, string directory, int partitions, bool syncWrites)
    {
        Name = name;
        Directory = directory;
        _partitions = new EmbeddedPartition[partitions];
        for (var i = 0; i < partitions; i++)
        {
            _partitions[i] = new EmbeddedPartition(Path.Combine(directory, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), syncWrites);
        }
    }

    public string Name { get; }

    public string Directory { get; }

    public int PartitionCount => _partitions.Length;

    public ValueTask<long> AppendAsync(int partition, IReadOnlyList<ProducedRecord> records, CancellationToken cancellationToken = default) =>
        _closed
            ? throw new InvalidOperationException($"topic \"{Name}\" was deleted or closed")
            : _partitions[partition].AppendAsync(records, cancellationToken);

    private volatile bool _closed;

    public long EndOffset(int partition) => _partitions[partition].EndOffset;

    public long LogEndOffset(int partition) => _partitions[partition].LogEndOffset;

    public void Fence(int partition, long offset) => _partitions[partition].Fence(offset);

    public void Unfence(int partition, long offset) => _partitions[partition].Unfence(offset);

    public long StartOffset(int partition) => 0;

    public long OffsetForTimestamp(int partition, long timestamp) => _partitions[partition].OffsetForTimestamp(timestamp);

    public IPartitionReader OpenReader(int partition, long fromOffset) =>
        new EmbeddedPartitionReader(_partitions[partition], partition, fromOffset, $"{Name}-{partition}");

    public void Dispose()
    {
        _closed = true;
        foreach (var partition in _partitions)
        {
            partition.Dispose();
        }
    }
}
