using FASTER.core;

namespace StreamSql.Runtime.Topics.Embedded;

/// <summary>
/// One topic partition on its own FasterLog; keeps an offset → log address index rebuilt from the log at open.
/// Readers see records up to the stable end: durable, and below every writer's open fence (a persistent query's output
/// whose source offsets are not committed yet), as Kafka's last stable offset.
/// </summary>
internal sealed class EmbeddedPartition : IDisposable
{
    private readonly object _fenceGate = new();
    private readonly List<long> _fences = [];
    private long _stableEnd;
    private TaskCompletionSource _stableAdvanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly object _appendGate = new();
    private readonly List<long> _addresses = [];

    // Running maximum of record timestamps by offset: ascending, so a timestamp lookup is a binary search (Kafka's time index).
    private readonly List<long> _maxTimestamps = [];
    private readonly FasterLogSettings _settings;
    private readonly ILogCommitManager _commits;
    private readonly Storage.BufferedFileDevice _device;
    private readonly string _directory;
    private long _committedEnd;

    /// <param name="syncWrites">Appends reach the disk before they are acknowledged (else the OS page cache).</param>
    public EmbeddedPartition(string directory, bool syncWrites = true)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);

        // The log in FASTER's default files (fasterlog.log.N) on a device that writes each page once; commits in place in
        // two slots of one file. An older build's commit files (log-commits/commit.N.0) are read until the first commit.
        _commits = new Storage.SlottedLogCommitManager(Path.Combine(directory, "log-commit.slots"), syncWrites, LegacyCommits(directory, syncWrites));
        _device = new Storage.BufferedFileDevice(Path.Combine(directory, "fasterlog.log"), syncWrites);
        _settings = new FasterLogSettings
        {
            LogDevice = _device,
            LogCommitManager = _commits,
            PageSizeBits = 20,
            MemorySizeBits = 22,
            SegmentSizeBits = 28,
        };
        Log = new FasterLog(_settings);
        RebuildIndex();
    }

    internal FasterLog Log { get; }

    private static DeviceLogCommitCheckpointManager? LegacyCommits(string directory, bool syncWrites)
    {
        var commits = Path.Combine(directory, "log-commits");
        return Directory.Exists(commits) && Directory.EnumerateFiles(commits, "commit.*").Any()
            ? new DeviceLogCommitCheckpointManager(new Storage.BufferedFileDeviceFactory(syncWrites), new DefaultCheckpointNamingScheme(directory), removeOutdated: false)
            : null;
    }

    /// <summary>The end readers see: durable and not behind a fence.</summary>
    public long EndOffset => Volatile.Read(ref _stableEnd);

    /// <summary>The end of the durable log, fenced records included (what a writer's intent records).</summary>
    public long LogEndOffset => Volatile.Read(ref _committedEnd);

    /// <summary>Completes when the stable end next moves.</summary>
    public Task StableAdvanced
    {
        get
        {
            lock (_fenceGate)
            {
                return _stableAdvanced.Task;
            }
        }
    }

    /// <summary>Hides records at and after offset from readers until <see cref="Unfence"/> with the same offset.</summary>
    public void Fence(long offset)
    {
        lock (_fenceGate)
        {
            _fences.Add(offset);
            UpdateStableEnd();
        }
    }

    public void Unfence(long offset)
    {
        lock (_fenceGate)
        {
            if (_fences.Remove(offset))
            {
                UpdateStableEnd();
            }
        }
    }

    // Under _fenceGate. The stable end never moves back: a fence below it is placed at it.
    private void UpdateStableEnd()
    {
        var end = Volatile.Read(ref _committedEnd);
        for (var i = 0; i < _fences.Count; i++)
        {
            end = Math.Min(end, _fences[i]);
        }

        if (end > _stableEnd)
        {
            Volatile.Write(ref _stableEnd, end);
            var advanced = _stableAdvanced;
            _stableAdvanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            advanced.TrySetResult();
        }
    }

    /// <summary>A reader of the log's committed entries from address on (its files, not FasterLog's scan iterator).</summary>
    internal LogFileEntryReader OpenEntries(long address) => new(Log, _device, address, _directory);

    private void RebuildIndex()
    {
        using var entries = OpenEntries(Log.BeginAddress);
        long expected = 0;
        while (entries.TryNext(out var entry))
        {
            var record = EntryCodec.Borrow(entry, _directory);
            if (record.Offset != expected)
            {
                throw new InvalidDataException($"corrupt partition log {_directory}: expected offset {expected} at address {entries.EntryAddress}, found {record.Offset}");
            }

            _addresses.Add(entries.EntryAddress);
            NoteTimestamp(record.Timestamp);
            expected++;
        }

        // The commit record says how far the log was durable; reading less means the file lost data (truncated, damaged).
        if (entries.NextAddress < Log.TailAddress)
        {
            throw new InvalidDataException(
                $"partition log {_directory} is damaged: committed up to address {Log.TailAddress} but only {entries.NextAddress} is readable ({expected} records); restore the directory from a copy or delete the topic");
        }

        _committedEnd = expected;
        _stableEnd = expected;
    }

    // Entries are encoded here (under the append gate) before FasterLog copies them into its log.
    private byte[] _entryBuffer = new byte[1024];

    public async ValueTask<long> AppendAsync(IReadOnlyList<ProducedRecord> records, CancellationToken cancellationToken)
    {
        long first;
        long end;
        lock (_appendGate)
        {
            first = _addresses.Count;
            for (var i = 0; i < records.Count; i++)
            {
                var length = EntryCodec.EncodedLength(records[i]);
                if (_entryBuffer.Length < length)
                {
                    _entryBuffer = new byte[Math.Max(length, _entryBuffer.Length * 2)];
                }

                var entry = _entryBuffer.AsSpan(0, length);
                EntryCodec.EncodeInto(first + i, records[i], entry);
                _addresses.Add(Log.Enqueue((ReadOnlySpan<byte>)entry));
                NoteTimestamp(records[i].Timestamp);
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

        lock (_fenceGate)
        {
            UpdateStableEnd();
        }

        return first;
    }

    private void NoteTimestamp(long timestamp) =>
        _maxTimestamps.Add(_maxTimestamps.Count == 0 ? timestamp : Math.Max(timestamp, _maxTimestamps[^1]));

    /// <summary>The first durable offset whose running-maximum timestamp is at least timestamp, or -1.</summary>
    public long OffsetForTimestamp(long timestamp)
    {
        var end = EndOffset;
        lock (_appendGate)
        {
            int low = 0, high = (int)Math.Min(end, _maxTimestamps.Count);
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (_maxTimestamps[middle] >= timestamp)
                {
                    high = middle;
                }
                else
                {
                    low = middle + 1;
                }
            }

            return low < end ? low : -1;
        }
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
            _settings.LogDevice.Dispose();
            _commits.Dispose();
        }
    }
}
