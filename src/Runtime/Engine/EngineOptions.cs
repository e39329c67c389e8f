namespace StreamSql.Runtime.Engine;

/// <summary>Where the engine keeps its data (topics, command log, query offsets).</summary>
public sealed record EngineOptions(string DataDirectory);
