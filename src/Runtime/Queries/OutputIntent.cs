namespace StreamSql.Runtime.Queries;

/// <summary>
/// A batch about to be written: its source partition, the source offset it ends at, and each sink partition's end before
/// the write. A stream–stream join's batch covers two inputs: <see cref="Join"/> says where both started and where the
/// right one ends, so recovery can replay exactly that batch.
/// </summary>
public sealed record OutputIntent(int SourcePartition, long EndOffset, IReadOnlyList<long> SinkEnds, JoinIntent? Join = null);

/// <summary>The rest of a stream–stream join batch: the left input's start, the right input's (virtual) partition, start and end.</summary>
public sealed record JoinIntent(long LeftStart, int RightPartition, long RightStart, long RightEnd);
