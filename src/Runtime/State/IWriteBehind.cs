namespace StreamSql.Runtime.State;

/// <summary>
/// An operator that keeps some of its state in memory ahead of its store (write-behind): the store counts those
/// entries in its <see cref="IStateStore.Count"/> and has the operator save them before each checkpoint, so a
/// checkpoint holds exactly the state as of its offset. Between checkpoints the store need not be current: a restart
/// restores the last checkpoint and replays the input from there.
/// </summary>
public interface IWriteBehind
{
    /// <summary>Entries held only in memory (not yet in the store); read from other threads.</summary>
    long UnsavedEntries { get; }

    /// <summary>Writes what is held only in memory to the store. Called on the thread that checkpoints, between batches.</summary>
    void SaveUnsaved();
}

/// <summary>What a store does with the write-behind writers attached to it.</summary>
internal static class WriteBehind
{
    public static long UnsavedEntriesOf(IWriteBehind[] writers)
    {
        long unsaved = 0;
        foreach (var writer in writers)
        {
            unsaved += writer.UnsavedEntries;
        }

        return unsaved;
    }

    public static void SaveAll(IWriteBehind[] writers)
    {
        foreach (var writer in writers)
        {
            writer.SaveUnsaved();
        }
    }
}
