namespace StreamSql.Runtime.State;

/// <summary>Opens fresh in-memory stores; nothing survives a restart.</summary>
public sealed class MemoryStateStoreProvider : IStateStoreProvider
{
    public static readonly MemoryStateStoreProvider Instance = new();

    public IStateStore Open(string name, string? checkpointToken = null) => new MemoryStateStore();

    public void Delete(string name)
    {
    }
}
