using FASTER.core;

namespace StreamSql.Runtime.Topics.Embedded;

/// <summary>One topic partition on its own FasterLog; keeps an offset → log address index rebuilt from the log at open.</summary>
internal sealed class EmbeddedPartition : IDisposable
{
    private readonly object _appendGate = new();
    private readonly List<long> _addresses = [];
    private readonly FasterLogSettings _settings;
    private readonly string _directory;
    private long _committedEnd;

    public EmbeddedPartition(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        _settings = new FasterLogSettings(directory) { PageSizeBits = 20, MemorySizeBits = 22, SegmentSizeBits = 28 };
        Log = new FasterLog(_settings);
        RebuildIndex();
    }

    internal FasterLog Log { get; }

    public long EndOffset => Volatile.Read(ref _committedEnd);

    private void RebuildIndex()
    {
        using var iterator = Log.Scan(Log.BeginAddress, Log.TailAddress, recover: false);
        long expected = 0;
        while (iterator.GetNext(out byte[] entry, out var length, out var address))
        {
            var record = EntryCodec.Decode(entry.AsSpan(0, length), _directory);
            if (record.Offset != expected)
            {
                throw new InvalidDataException($"corrupt partition log {_directory}: expected offset {expected} at address {address}, found {record.Offset}");
            }

            _addresses.Add(address);
            expected++;
        }

        _committedEnd = expected;
    }

    public async ValueTask<long> AppendAsync(IReadOnlyList<ProducedRecord> records, CancellationToken cancellationToken)
    {
        long first;
        long end;
        lock (_appendGate)
        {
            first = _addresses.Count;
            for (var i = 0; i < records.Count; i++)
            {
                var entry = EntryCodec.Encode(first + i, records[i]);
                _addresses.Add(Log.Enqueue(entry));
            }

            end = _addresses.Count;
        }

        // CommitAsync returns once everything enqueued so far is flushed to the device: the append is durable.
        await Log.CommitAsync(cancellationToken).ConfigureAwait(false);
        long current;
        while ((current = Volatile.Read(ref _committedEnd)) < end)
        {
            Interlocked.CompareExchange(ref _committedEnd, end, current);
        }

        return first;
    }

    /// <summary>The log address of the record with this offset, or the tail when the offset is past the end.</summary>
    public long AddressOf(long offset)
    {
        lock (_appendGate)
        {
            if (offset < 0)
            {
                offset = 0;
            }

            return offset < _addresses.Count ? _addresses[(int)offset] : Log.TailAddress;
        }
    }

    public void Dispose()
    {
        try
        {
            Log.Commit(spinWait: true);
        }
        finally
        {
            Log.Dispose();
            _settings.Dispose();
        }
    }
}
