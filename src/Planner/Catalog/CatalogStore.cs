using StreamSql.Parser.Errors;

namespace StreamSql.Planner.Catalog;

/// <summary>The in-memory catalog of streams and persistent queries; the command log rebuilds it at start.</summary>
public sealed class CatalogStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StreamDefinition> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueryDefinition> _queries = new(StringComparer.Ordinal);
    private int _nextQueryNumber = 1;

    /// <summary>Relations answered from the catalog (pg_catalog); set once by the server at start, null when there are none.</summary>
    public ISystemRelations? SystemRelations { get; set; }

    public StreamDefinition? FindStream(string name)
    {
        lock (_gate)
        {
            return _streams.GetValueOrDefault(name);
        }
    }

    public StreamDefinition GetStream(string name, int? position) =>
        FindStream(name) ?? throw new SqlException(SqlState.UndefinedTable, $"relation \"{name}\" does not exist", position);

    public IReadOnlyList<StreamDefinition> Streams()
    {
        lock (_gate)
        {
            return _streams.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        }
    }

    public void AddStream(StreamDefinition stream)
    {
        lock (_gate)
        {
            if (!_streams.TryAdd(stream.Name, stream))
            {
                throw new SqlException(SqlState.DuplicateTable, $"relation \"{stream.Name}\" already exists");
            }
        }
    }

    public void RemoveStream(string name)
    {
        lock (_gate)
        {
            _streams.Remove(name);
        }
    }

    public IReadOnlyList<QueryDefinition> Queries()
    {
        lock (_gate)
        {
            return _queries.Values.OrderBy(q => q.Id, StringComparer.Ordinal).ToList();
        }
    }

    public QueryDefinition? FindQuery(string id)
    {
        lock (_gate)
        {
            return _queries.GetValueOrDefault(id);
        }
    }

    public void AddQuery(QueryDefinition query)
    {
        lock (_gate)
        {
            _queries.Add(query.Id, query);
        }
    }

    public void RemoveQuery(string id)
    {
        lock (_gate)
        {
            _queries.Remove(id);
        }
    }

    /// <summary>Query ids follow ksqlDB's pattern (CSAS_NAME_n), lower-cased like every unquoted name.</summary>
    public string NextQueryId(string prefix, string sinkName)
    {
        lock (_gate)
        {
            return $"{prefix}_{sinkName}_{_nextQueryNumber++}";
        }
    }

    /// <summary>Replay keeps ids stable by moving the counter past every id it has seen.</summary>
    public void NoteQueryId(string id)
    {
        var underscore = id.LastIndexOf('_');
        if (underscore >= 0 && int.TryParse(id.AsSpan(underscore + 1), out var n))
        {
            lock (_gate)
            {
                _nextQueryNumber = Math.Max(_nextQueryNumber, n + 1);
            }
        }
    }

    /// <summary>Queries that read from the named stream (a stream they read cannot be dropped).</summary>
    public IReadOnlyList<QueryDefinition> QueriesReading(string streamName)
    {
        lock (_gate)
        {
            return _queries.Values.Where(q => q.SourceName == streamName || Scans(q.Plan, streamName)).ToList();
        }
    }

    // A join's other input (a table it looks up) is read too.
    private static bool Scans(Logical.LogicalPlan plan, string name) =>
        plan is Logical.LogicalScan scan ? scan.Source.Name == name : plan.Inputs.Any(i => Scans(i, name));
}
