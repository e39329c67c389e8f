using Serilog;

namespace StreamSql.Runtime.State;

/// <summary>
/// Opens FASTER state stores as directories under one root and shares one memory budget (--state-memory) among them:
/// every store is laid out for the whole budget (so its layout, and hence its checkpoints, do not depend on how many
/// stores are open), and the in-memory part of each store's log is then capped by its share of the budget. The shares
/// follow demand: a store whose log is smaller than an equal share keeps only what it uses (plus a page to grow into),
/// and the rest is split equally among the larger ones. They are re-shared whenever a store opens or closes and when
/// a log grows past its cap. Each store keeps at least two log pages, and its hash index (an eighth of the budget at
/// most, grown as keys come) is outside the share.
/// </summary>
/// <param name="syncWrites">Log pages reach the disk before FASTER counts them written (--fsync always), else the page cache.</param>
public sealed class FasterStateStoreProvider(string rootDirectory, long memoryBytes, bool syncWrites = true) : IStateStoreProvider
{
    private static readonly ILogger Log = Serilog.Log.ForContext<FasterStateStoreProvider>();
    private readonly List<FasterStateStore> _open = [];

    // Serializes re-sharing (each one reads every store's demand, then sets every store's cap); taken before any store's
    // gate, never while one is held.
    private readonly object _reshareGate = new();

    public IStateStore Open(string name, string? checkpointToken = null)
    {
        var store = new FasterStateStore(PathOf(name), memoryBytes, checkpointToken, Closed, syncWrites, _ => Reshare());
        lock (_open)
        {
            _open.Add(store);
        }

        Reshare();
        return store;
    }

    private long _closedDiskReads;

    /// <summary>Operations of all stores, open and closed, that waited for a record to be read back from disk.</summary>
    public long DiskReads
    {
        get
        {
            lock (_open)
            {
                var total = _closedDiskReads;
                foreach (var store in _open)
                {
                    total += store.DiskReads;
                }

                return total;
            }
        }
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
            _closedDiskReads += store.DiskReads;
        }

        Reshare();
    }

    /// <summary>
    /// Water-filling: the stores in order of demand each get the smaller of their demand and an equal share of what the
    /// smaller ones left. An equal split gave q8's aggregation stores (200 KB of log each) as much as its join's person
    /// table, which then evicted to disk most of the rows the auctions looked up.
    /// </summary>
    private void Reshare()
    {
        lock (_reshareGate)
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

            var demands = new long[stores.Length];
            for (var i = 0; i < stores.Length; i++)
            {
                demands[i] = stores[i].LogMemoryDemandBytes;
            }

            Array.Sort(demands, stores);
            var left = memoryBytes;
            for (var i = 0; i < stores.Length; i++)
            {
                var share = Math.Max(left, 0) / (stores.Length - i);
                stores[i].LimitLogMemory(Math.Min(demands[i], share));
                left -= stores[i].LogMemoryLimitBytes;
            }

            Log.Debug("State memory {BudgetBytes} bytes shared among {Stores} stores by demand: {Unused} bytes unused", memoryBytes, stores.Length, left);
        }
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
