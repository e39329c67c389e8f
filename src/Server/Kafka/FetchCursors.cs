using StreamSql.Runtime.Topics;

namespace StreamSql.Server.Kafka;

/// <summary>The partition cursors of one connection, keyed by topic instance and partition; a deleted and recreated topic gets new ones.</summary>
internal sealed class FetchCursors : IDisposable
{
    private const int MaxCursors = 1024;
    private readonly Dictionary<(ITopicLog Log, int Partition), PartitionCursor> _cursors = [];

    public PartitionCursor Get(ITopicLog log, int partition, long offset)
    {
        if (_cursors.TryGetValue((log, partition), out var cursor))
        {
            cursor.Seek(offset);
            return cursor;
        }

        if (_cursors.Count >= MaxCursors)
        {
            Dispose();
        }

        cursor = new PartitionCursor(log, partition, offset);
        _cursors[(log, partition)] = cursor;
        return cursor;
    }

    public void Forget(ITopicLog log, int partition)
    {
        if (_cursors.Remove((log, partition), out var cursor))
        {
            cursor.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var cursor in _cursors.Values)
        {
            cursor.Dispose();
        }

        _cursors.Clear();
    }
}
