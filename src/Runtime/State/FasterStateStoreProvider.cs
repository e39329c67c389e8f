using Serilog;

namespace StreamSql.Runtime.State;

/// <summary>Opens FASTER state stores as directories under one root, each with the same memory budget.</summary>
public sealed class FasterStateStoreProvider(string rootDirectory, long memoryBytesPerStore) : IStateStoreProvider
{
    private static readonly ILogger Log = Serilog.Log.ForContext<FasterStateStoreProvider>();

    public IStateStore Open(string name, string? checkpointToken = null) =>
        new FasterStateStore(PathOf(name), memoryBytesPerStore, checkpointToken);

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
