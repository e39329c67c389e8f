namespace StreamSql.Runtime.Engine;

/// <summary>Where the engine keeps its data (topics, command log, query offsets), and the Kafka cluster to use instead of embedded topics.</summary>
public sealed record EngineOptions(string DataDirectory)
{
    /// <summary>Kafka mode when set: every topic, the command log included, lives in this cluster (bootstrap.servers, comma-separated host:port).</summary>
    public string? KafkaBootstrapServers { get; init; }

    /// <summary>The server's configuration as name/value pairs, for SHOW PROPERTIES (secrets left out).</summary>
    public IReadOnlyList<(string Name, string Value)> Properties { get; init; } = [];

    /// <summary>Memory budget shared by all state stores (a stateful query's partition, a table's partition); the rest spills to disk.</summary>
    public long StateMemoryBytes { get; init; } = 64L << 20;

    /// <summary>How often each partition of a stateful query checkpoints its state (shortens recovery; output is exactly-once either way).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// --fsync: whether a persistent query's offset commits and output intents are on stable storage when written (true,
    /// always) or only handed to the OS (false, never: exactly-once across a killed process, not across a power loss).
    /// Topic appends are always synchronous: FasterLog writes its files with O_SYNC.
    /// </summary>
    public bool SyncWrites { get; init; } = true;

    /// <summary>
    /// Makes the observer of a persistent query's end-to-end latencies in seconds (the server's /metrics histogram), given
    /// the query id; null: latencies are not measured.
    /// </summary>
    public Func<string, Action<double>>? QueryLatencyObserver { get; init; }

    /// <summary>Names this server's internal topics in Kafka mode, so several servers can share one cluster.</summary>
    public string ServiceId { get; init; } = "default";

    /// <summary>The name of an internal topic: _streamsql_&lt;name&gt; embedded, _streamsql-&lt;service id&gt;-&lt;name&gt; in Kafka mode.</summary>
    public string InternalTopic(string name) =>
        KafkaBootstrapServers is null ? "_streamsql_" + name : $"_streamsql-{ServiceId}-{name}";
}
