namespace StreamSql.Runtime.Queries;

/// <summary>
/// Lets a partition task process its next batch while the previous one commits (its output flushed, its offset saved):
/// the task's core is otherwise idle for the commit's disk waits. The state is then one batch ahead of the committed
/// offset, so the task reports such a batch's progress with <see cref="Advance"/> (no checkpoint may be taken), and
/// waits for the commit before processing when <see cref="ConsistentProgressDue"/> says a checkpoint is due: its
/// progress callback then sees the state at exactly that batch's end.
/// </summary>
/// <param name="Advance">Reports a committed position while the state is already past it.</param>
/// <param name="ConsistentProgressDue">Per partition: whether the next progress report should find the state at its position (a checkpoint is due).</param>
public sealed record BatchOverlap(Action<int, long> Advance, Func<int, bool> ConsistentProgressDue);
