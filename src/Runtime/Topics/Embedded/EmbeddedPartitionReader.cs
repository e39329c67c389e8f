using FASTER.core;

namespace StreamSql.Runtime.Topics.Embedded;

/// <summary>Tails one embedded partition through a FasterLog scan iterator that only returns committed entries.</summary>
internal sealed class EmbeddedPartitionReader : IPartitionReader
{
    private readonly FasterLogScanIterator _iterator;
    private readonly string _source;

    public EmbeddedPartitionReader(EmbeddedPartition partition, int partitionNumber, long fromOffset, string source)
    {
        Partition = partitionNumber;
        Position = Math.Max(fromOffset, 0);
        _source = source;
        _iterator = partition.Log.Scan(partition.AddressOf(Position), long.MaxValue, recover: false, scanUncommitted: false);
    }

    public int Partition { get; }

    public long Position { get; private set; }

    public int TryRead(List<TopicRecord> into, int max)
    {
        var count = 0;
        while (count < max && _iterator.GetNext(out byte[] entry, out var length, out _))
        {
            var record = EntryCodec.Decode(entry.AsSpan(0, length), _source);
            if (record.Offset < Position)
            {
                continue;
            }

            into.Add(record);
            Position = record.Offset + 1;
            count++;
        }

        return count;
    }

    public async ValueTask<int> ReadAsync(List<TopicRecord> into, int max, CancellationToken cancellationToken)
    {
        while (true)
        {
            var count = TryRead(into, max);
            if (count > 0)
            {
                return count;
            }

            await _iterator.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _iterator.Dispose();
}
