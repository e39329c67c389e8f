using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Nexmark;

/// <summary>
/// A record of a generated Nexmark topic: no key or value bytes, only the event number it stands for. Decoding builds the
/// row straight from the generator (no JSON in between). Its reader may hand the same object out again for another event
/// once the consumer gave it back (<see cref="IRecyclingPartitionReader"/>).
/// </summary>
public sealed record GeneratedTopicRecord(long Offset, long Timestamp, long EventNumber, NexmarkGeneratedTopic Source)
    : TopicRecord(Offset, Timestamp, null, null)
{
    public long EventNumber { get; private set; } = EventNumber;

    internal void Reuse(long offset, long timestamp, long eventNumber)
    {
        Offset = offset;
        Timestamp = timestamp;
        EventNumber = eventNumber;
    }
}
