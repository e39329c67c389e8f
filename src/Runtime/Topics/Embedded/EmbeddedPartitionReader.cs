namespace StreamSql.Runtime.Topics.Embedded;

/// <summary>
/// Tails one embedded partition: reads its log's committed entries from the log's files and returns records up to the
/// partition's stable end (a record read past it is held until the end moves).
/// </summary>
internal sealed class EmbeddedPartitionReader : IBorrowingPartitionReader
{
    private readonly LogFileEntryReader _entries;
    private readonly EmbeddedPartition _partition;
    private readonly string _source;
    private TopicRecord? _held;

    public EmbeddedPartitionReader(EmbeddedPartition partition, int partitionNumber, long fromOffset, string source)
    {
        Partition = partitionNumber;
        Position = Math.Max(fromOffset, 0);
        _source = source;
        _partition = partition;
        _entries = partition.OpenEntries(partition.AddressOf(Position));
    }

    public int Partition { get; }

    public long Position { get; private set; }

    public int TryRead(List<TopicRecord> into, int max)
    {
        var count = 0;
        var stableEnd = _partition.EndOffset;
        while (count < max)
        {
            TopicRecord record;
            if (_held is { } held)
            {
                record = held;
                _held = null;
            }
            else if (_entries.TryNext(out var entry))
            {
                record = EntryCodec.Decode(entry, _source);
            }
            else
            {
                break;
            }

            if (record.Offset < Position)
            {
                continue;
            }

            if (record.Offset >= stableEnd)
            {
                _held = record;
                break;
            }

            into.Add(record);
            Position = record.Offset + 1;
            count++;
        }

        return count;
    }

    public int TryRead(IBorrowedRecordConsumer consumer, int max)
    {
        var count = 0;
        var stableEnd = _partition.EndOffset;
        if (_held is { } held && max > 0)
        {
            if (held.Offset >= stableEnd)
            {
                return 0;
            }

            _held = null;
            if (held.Offset >= Position)
            {
                consumer.Consume(new BorrowedRecord(held));
                Position = held.Offset + 1;
                count++;
            }
        }

        while (count < max && _entries.TryNext(out var entry))
        {
            var record = EntryCodec.Borrow(entry, _source);
            if (record.Offset < Position)
            {
                continue;
            }

            if (record.Offset >= stableEnd)
            {
                // Past the stable end: kept (copied) until the end moves.
                _held = record.ToRecord();
                break;
            }

            consumer.Consume(record);
            Position = record.Offset + 1;
            count++;
        }

        return count;
    }

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        // Taken before the check, so an advance in between is not missed. Records below the stable end are committed.
        var advanced = _partition.StableAdvanced;
        if (Position >= _partition.EndOffset)
        {
            await advanced.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
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

            await WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _entries.Dispose();
}
