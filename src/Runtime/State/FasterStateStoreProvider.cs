using Serilog;

namespace StreamSql.Runtime.State;

/// <summary>
/// Opens FASTER state stores as directories under one root and shares one memory budget (--state-memory) among them:
/// every store is laid out for the whole budget (so its layout, and hence its checkpoints, do not depend on how many
/// stores are open), and the in-memory part of each store's log is then capped at an equal share of the budget, re-shared
/// whenever a store opens or closes. Each store keeps at least two log pages, and its hash index (an eighth of the budget,
/// allocated when it opens) is outside the share.
/// </summary>
/// <param name="syncWrites">Log pages reach the disk before FASTER counts them written (--fsync always), else the page cache.</param>
public sealed class FasterStateStoreProvider(string rootDirectory, long memoryBytes, bool syncWrites = true) : IStateStoreProvider
{
    private static readonly ILogger Log = Serilog.Log.ForContext<FasterStateStoreProvider>();
    private readonly List<FasterStateStore> _open = [];

    public IStateStore Open(string name, string? checkpointToken = null)
    {
        var store = new FasterStateStore(PathOf(name), memoryBytes, checkpointToken, Closed, syncWrites);
        lock (_open)
        {
            _open.Add(store);
        }

        Reshare();
        return store;
    }

    /// <summary>The stores open now (for tests and metrics).</summary>
    public IReadOnlyList<FasterStateStore> OpenStores()
    {
        lock (_open)
        {
            return [.. _open];
        }
    }

    private void Closed(FasterStateStore store)
    {
        lock (_open)
        {
            _open.Remove(store);
        }

        Reshare();
    }

    private void Reshare()
    {
        FasterStateStore[] stores;
        lock (_open)
        {
            stores = [.. _open];
        }

        if (stores.Length == 0)
        {
            return;
        }

        var share = memoryBytes / stores.Length;
        foreach (var store in stores)
        {
            store.LimitLogMemory(share);
        }

        Log.Debug("State memory {BudgetBytes} bytes shared among {Stores} stores: {ShareBytes} bytes of log memory each", memoryBytes, stores.Length, share);
    }

    public void Delete(string name)
    {
        var directory = PathOf(name);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
            Log.Information("Deleted state store {Directory}", directory);
        }
    }

    /// <summary>Resolves a store name under the root, refusing names that would escape it (absolute, "..").</summary>
    private string PathOf(string name)
    {
        var root = Path.GetFullPath(rootDirectory);
        var path = Path.GetFullPath(Path.Combine(root, name));
        if (path == root || !path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"state store name '{name}' is not a path inside {root}", nameof(name));
        }

        return path;
    }
}
