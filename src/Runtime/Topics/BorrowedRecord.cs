namespace StreamSql.Runtime.Topics;

/// <summary>
/// A record handed over in place by a <see cref="IBorrowingPartitionReader"/>: its key and value are spans over the topic's
/// own storage, valid only during the call that received it. A record with headers comes already copied out
/// (<see cref="ToRecord"/> returns that copy), so only the common header-less record is read without a copy.
/// </summary>
public readonly ref struct BorrowedRecord
{
    private readonly TopicRecord? _copied;

    public BorrowedRecord(long offset, long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue)
    {
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        HasKey = hasKey;
        Value = value;
        HasValue = hasValue;
    }

    public BorrowedRecord(TopicRecord copied)
    {
        _copied = copied;
        Offset = copied.Offset;
        Timestamp = copied.Timestamp;
        Key = copied.Key;
        HasKey = copied.Key is not null;
        Value = copied.Value;
        HasValue = copied.Value is not null;
    }

    public long Offset { get; }

    /// <summary>Epoch milliseconds.</summary>
    public long Timestamp { get; }

    public ReadOnlySpan<byte> Key { get; }

    /// <summary>False for a null key (an empty one has a key).</summary>
    public bool HasKey { get; }

    public ReadOnlySpan<byte> Value { get; }

    /// <summary>False for a null value (a tombstone).</summary>
    public bool HasValue { get; }

    /// <summary>The record has headers (then it was copied out, and <see cref="ToRecord"/> has them).</summary>
    public bool HasHeaders => _copied?.Headers is { Count: > 0 };

    /// <summary>The record as one that outlives the call (copied unless it already was).</summary>
    public TopicRecord ToRecord() => _copied ?? new TopicRecord(Offset, Timestamp, HasKey ? Key.ToArray() : null, HasValue ? Value.ToArray() : null);
}
