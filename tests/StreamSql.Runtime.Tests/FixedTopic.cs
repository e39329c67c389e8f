using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Tests;

/// <summary>A one-partition topic of fixed records, read as far as asked.</summary>
internal sealed class FixedTopic(TopicRecord[] records) : ITopicLog
{
    public string Name => "s";

    public int PartitionCount => 1;

    public ValueTask<long> AppendAsync(int partition, IReadOnlyList<ProducedRecord> produced, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public long EndOffset(int partition) => records.Length;

    public long StartOffset(int partition) => 0;

    public long OffsetForTimestamp(int partition, long timestamp) => 0;

    public IPartitionReader OpenReader(int partition, long fromOffset) => new Reader(records, fromOffset);

    private sealed class Reader(TopicRecord[] records, long from) : IPartitionReader
    {
        public int Partition => 0;

        public long Position { get; private set; } = from;

        public int TryRead(List<TopicRecord> into, int max)
        {
            var count = (int)Math.Min(max, records.Length - Position);
            for (var i = 0; i < count; i++)
            {
                into.Add(records[Position++]);
            }

            return count;
        }

        public ValueTask<int> ReadAsync(List<TopicRecord> into, int max, CancellationToken cancellationToken) => ValueTask.FromResult(TryRead(into, max));

        public void Dispose()
        {
        }
    }
}
