namespace StreamSql.Runtime.Topics;

/// <summary>Reads one partition in offset order from a starting offset, waiting for new records at the end.</summary>
public interface IPartitionReader : IDisposable
{
    int Partition { get; }

    /// <summary>The offset of the next record this reader returns.</summary>
    long Position { get; }

    /// <summary>Adds up to max available records without waiting; returns how many were added.</summary>
    int TryRead(List<TopicRecord> into, int max);

    /// <summary>Adds up to max records, waiting until at least one is available.</summary>
    ValueTask<int> ReadAsync(List<TopicRecord> into, int max, CancellationToken cancellationToken);
}
