namespace StreamSql.Runtime.Topics;

/// <summary>
/// Every partition of a topic presented as one partition, for transient joins of inputs that are not co-partitioned: a
/// push or pull query has no internal topic to repartition through, so it joins the whole of both inputs in one task. A
/// read hands over the records available in each partition merged by timestamp. Offsets are positions in that merged
/// sequence, counted from <see cref="Base"/> (the sum of the partitions' starting offsets), so comparing
/// <see cref="EndOffset"/> with a reader's position keeps its meaning. Records keep their partition's bytes, timestamp
/// and headers; their offset is the merged position. Read-only.
/// </summary>
public sealed class MergedPartitionsTopic : ITopicLog
{
    private readonly ITopicLog _inner;
    private readonly long[] _from;
    private readonly long[]? _to;

    /// <param name="from">Where each partition is read from.</param>
    /// <param name="to">Where each partition stops (a pull query's snapshot), or null to follow the topic.</param>
    public MergedPartitionsTopic(ITopicLog inner, long[] from, long[]? to)
    {
        _inner = inner;
        _from = from;
        _to = to;
        for (var p = 0; p < from.Length; p++)
        {
            Base += from[p];
        }
    }

    /// <summary>The merged offset of the first record read.</summary>
    public long Base { get; }

    public string Name => _inner.Name;

    public int PartitionCount => 1;

    public ValueTask<long> AppendAsync(int partition, IReadOnlyList<ProducedRecord> records, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("a merged view of a topic's partitions is read-only");

    public long EndOffset(int partition)
    {
        var end = 0L;
        for (var p = 0; p < _from.Length; p++)
        {
            end += Math.Max(_from[p], Math.Min(_inner.EndOffset(p), _to?[p] ?? long.MaxValue));
        }

        return end;
    }

    public long StartOffset(int partition) => Base;

    public long OffsetForTimestamp(int partition, long timestamp) => -1;

    public IPartitionReader OpenReader(int partition, long fromOffset)
    {
        if (partition != 0 || fromOffset != Base)
        {
            throw new ArgumentOutOfRangeException(nameof(fromOffset), "a merged view is read once, from its base offset");
        }

        return new Reader(this);
    }

    private sealed class Reader : IPartitionReader
    {
        private readonly MergedPartitionsTopic _topic;
        private readonly IPartitionReader[] _readers;
        private readonly Queue<TopicRecord>[] _buffered;
        private readonly List<TopicRecord>[] _reads;
        private readonly Task<int>?[] _pending;

        public Reader(MergedPartitionsTopic topic)
        {
            _topic = topic;
            var count = topic._from.Length;
            _readers = new IPartitionReader[count];
            _buffered = new Queue<TopicRecord>[count];
            _reads = new List<TopicRecord>[count];
            _pending = new Task<int>?[count];
            for (var p = 0; p < count; p++)
            {
                _readers[p] = topic._inner.OpenReader(p, topic._from[p]);
                _buffered[p] = new Queue<TopicRecord>();
                _reads[p] = [];
            }

            Position = topic.Base;
        }

        public int Partition => 0;

        public long Position { get; private set; }

        public int TryRead(List<TopicRecord> into, int max)
        {
            for (var p = 0; p < _readers.Length; p++)
            {
                Collect(p);
                if (_buffered[p].Count == 0 && _pending[p] is null && Room(p, max) is var room and > 0 && _readers[p].TryRead(_reads[p], room) > 0)
                {
                    Buffer(p);
                }
            }

            return Merge(into, max);
        }

        public async ValueTask<int> ReadAsync(List<TopicRecord> into, int max, CancellationToken cancellationToken)
        {
            while (true)
            {
                var read = TryRead(into, max);
                if (read > 0)
                {
                    return read;
                }

                // Nothing available: wait on every partition that may still have records.
                var waits = new List<Task<int>>();
                for (var p = 0; p < _readers.Length; p++)
                {
                    if (_pending[p] is null && Room(p, max) is var room and > 0)
                    {
                        _pending[p] = _readers[p].ReadAsync(_reads[p], room, cancellationToken).AsTask();
                    }

                    if (_pending[p] is { } pending)
                    {
                        waits.Add(pending);
                    }
                }

                if (waits.Count == 0)
                {
                    // Every partition reached its stop: nothing more will come.
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }

                await Task.WhenAny(waits).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        /// <summary>How many records partition p may still hand over (its stop bounds a pull query's snapshot).</summary>
        private int Room(int p, int max) =>
            _topic._to is { } to ? (int)Math.Min(max, Math.Max(0, to[p] - _readers[p].Position)) : max;

        /// <summary>Takes the result of a finished wait on partition p.</summary>
        private void Collect(int p)
        {
            if (_pending[p] is { IsCompleted: true } done)
            {
                _pending[p] = null;
                done.GetAwaiter().GetResult();
                Buffer(p);
            }
        }

        private void Buffer(int p)
        {
            foreach (var record in _reads[p])
            {
                _buffered[p].Enqueue(record);
            }

            _reads[p].Clear();
        }

        /// <summary>Hands over buffered records, the earliest timestamp first across partitions, up to max.</summary>
        private int Merge(List<TopicRecord> into, int max)
        {
            var added = 0;
            while (added < max)
            {
                var earliest = -1;
                for (var p = 0; p < _buffered.Length; p++)
                {
                    if (_buffered[p].Count > 0 && (earliest < 0 || _buffered[p].Peek().Timestamp < _buffered[earliest].Peek().Timestamp))
                    {
                        earliest = p;
                    }
                }

                if (earliest < 0)
                {
                    break;
                }

                into.Add(_buffered[earliest].Dequeue() with { Offset = Position++ });
                added++;
                if (_buffered[earliest].Count == 0 && _pending[earliest] is null && Room(earliest, max) is var room and > 0
                    && _readers[earliest].TryRead(_reads[earliest], room) > 0)
                {
                    // The partition has more: it stays in the merge rather than letting the others run ahead of it.
                    Buffer(earliest);
                }
            }

            return added;
        }

        public void Dispose()
        {
            for (var p = 0; p < _readers.Length; p++)
            {
                // A wait still running ends with the query's cancellation; the partition reader is released after it.
                if (_pending[p] is { } pending)
                {
                    try
                    {
                        pending.Wait(TimeSpan.FromSeconds(5));
                    }
                    catch (AggregateException)
                    {
                    }
                }

                _readers[p].Dispose();
            }
        }
    }
}
