namespace StreamSql.Runtime.Topics;

/// <summary>Takes records whose bytes are borrowed from a topic's storage for the duration of the call.</summary>
public interface IBorrowedRecordConsumer
{
    void Consume(in BorrowedRecord record);
}

/// <summary>
/// A partition reader that can hand records over in place, without copying each one's bytes into arrays first (a
/// consumer that decodes them right away needs no copy).
/// </summary>
public interface IBorrowingPartitionReader : IPartitionReader
{
    /// <summary>Hands up to max available records to consumer in offset order without waiting; returns how many.</summary>
    int TryRead(IBorrowedRecordConsumer consumer, int max);

    /// <summary>Completes when a record may be available to read (or on cancellation, by throwing).</summary>
    ValueTask WaitAsync(CancellationToken cancellationToken);
}
