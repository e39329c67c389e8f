using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Nexmark;

/// <summary>
/// A record of a generated Nexmark topic: no key or value bytes, only the event number it stands for. Decoding builds the
/// row straight from the generator (no JSON in between).
/// </summary>
public sealed record GeneratedTopicRecord(long Offset, long Timestamp, long EventNumber, NexmarkGeneratedTopic Source)
    : TopicRecord(Offset, Timestamp, null, null);
