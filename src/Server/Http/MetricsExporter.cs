using Prometheus;
using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Http;

/// <summary>Prometheus metrics (prometheus-net) for one server: refreshed from the engine on each scrape, in a registry of its own.</summary>
public sealed class MetricsExporter
{
    private readonly StreamEngine _engine;
    private readonly CollectorRegistry _registry;
    private readonly Gauge _streams;
    private readonly Gauge _topicRecords;
    private readonly Gauge _queries;
    private readonly Gauge _recordsIn;
    private readonly Gauge _recordsOut;
    private readonly Gauge _badRecords;
    private readonly Gauge _lag;
    private readonly Gauge _late;
    private readonly Gauge _stateEntries;
    private readonly Gauge _stateBytes;
    private readonly Gauge _running;
    private readonly Gauge _connections;
    private readonly Gauge _statements;
    private readonly Func<int> _pgConnections;
    private readonly Gauge _transient;

    /// <summary>
    /// The per-query end-to-end latency histogram (seconds): for each source record, from its timestamp to when the output
    /// of its batch was written and the source offset committed. Made before the engine opens, in the exporter's registry.
    /// </summary>
    public static Histogram CreateLatencyHistogram(CollectorRegistry registry) =>
        Metrics.WithCustomRegistry(registry).CreateHistogram("streamsql_query_latency_seconds",
            "End-to-end latency of a persistent query: record timestamp to output written (per source record).",
            new HistogramConfiguration
            {
                LabelNames = ["query_id"],
                Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
            });

    private readonly Gauge _checkpoints;
    private readonly Gauge _checkpointDuration;
    private readonly Gauge _checkpointAge;

    public MetricsExporter(StreamEngine engine, Func<int> pgConnections, CollectorRegistry? registry = null)
    {
        _engine = engine;
        _registry = registry ?? Metrics.NewCustomRegistry();
        _pgConnections = pgConnections;
        DotNetStats.Register(_registry);
        var factory = Metrics.WithCustomRegistry(_registry);
        _connections = factory.CreateGauge("streamsql_pg_connections", "Postgres wire protocol connections open now.");
        _statements = factory.CreateGauge("streamsql_statements_total", "Statements executed, by kind and outcome.", ["kind", "outcome"]);
        _topicRecords = factory.CreateGauge("streamsql_topic_records", "Records a topic partition holds (end offset minus start offset).", ["topic", "partition"]);
        _streams = factory.CreateGauge("streamsql_streams", "Streams in the catalog.");
        _queries = factory.CreateGauge("streamsql_persistent_queries", "Persistent queries in the catalog.");
        string[] labels = ["query_id"];
        _recordsIn = factory.CreateGauge("streamsql_query_records_in_total", "Source records a persistent query has read.", labels);
        _recordsOut = factory.CreateGauge("streamsql_query_records_out_total", "Rows a persistent query has written.", labels);
        _badRecords = factory.CreateGauge("streamsql_query_bad_records_total", "Records skipped because they did not deserialize or an expression failed.", labels);
        _lag = factory.CreateGauge("streamsql_query_lag_records", "Source records written but not yet processed (end offset minus processed offset).", ["query_id", "partition"]);
        _late = factory.CreateGauge("streamsql_query_late_records_total", "Records dropped because their window had closed (older than stream time minus grace).", labels);
        _stateEntries = factory.CreateGauge("streamsql_query_state_entries", "Entries in a persistent query's state stores.", labels);
        _stateBytes = factory.CreateGauge("streamsql_query_state_bytes", "Bytes a persistent query's state stores hold, in memory and on disk.", labels);
        _running = factory.CreateGauge("streamsql_query_running", "1 while a persistent query is RUNNING, else 0.", labels);
        _checkpoints = factory.CreateGauge("streamsql_query_checkpoints_total", "State checkpoints a stateful persistent query has taken since it started.", labels);
        _checkpointDuration = factory.CreateGauge("streamsql_query_checkpoint_duration_seconds", "How long the last state checkpoint of a persistent query took.", labels);
        _checkpointAge = factory.CreateGauge("streamsql_query_checkpoint_age_seconds", "Seconds since a persistent query's last state checkpoint.", labels);
        _transient = factory.CreateGauge("streamsql_transient_queries", "Push and pull queries running for clients now.");
    }

    public async Task WriteAsync(Stream output, CancellationToken cancellationToken)
    {
        _streams.Set(_engine.Catalog.Streams().Count);
        foreach (var topic in _engine.StoredTopics.List())
        {
            for (var p = 0; p < topic.PartitionCount; p++)
            {
                _topicRecords.WithLabels(topic.Name, p.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(topic.EndOffset(p) - topic.StartOffset(p));
            }
        }
        _connections.Set(_pgConnections());
        foreach (var (kind, outcome, count) in _engine.Statements.Snapshot())
        {
            _statements.WithLabels(kind, outcome).Set(count);
        }

        _transient.Set(_engine.RunningTransientQueries);
        var statuses = _engine.QueryStatuses();
        _queries.Set(statuses.Count);
        foreach (var query in statuses)
        {
            _recordsIn.WithLabels(query.Id).Set(query.RecordsIn);
            _recordsOut.WithLabels(query.Id).Set(query.RecordsOut);
            _badRecords.WithLabels(query.Id).Set(query.BadRecords);
            _late.WithLabels(query.Id).Set(query.LateRecords);
            _stateEntries.WithLabels(query.Id).Set(query.StateEntries);
            _stateBytes.WithLabels(query.Id).Set(query.StateBytes);
            _running.WithLabels(query.Id).Set(query.Status == "RUNNING" ? 1 : 0);
            if (query.LastCheckpointMillis is { } millis)
            {
                _checkpoints.WithLabels(query.Id).Set(query.Checkpoints);
                _checkpointDuration.WithLabels(query.Id).Set(millis / 1000.0);
                _checkpointAge.WithLabels(query.Id).Set(query.CheckpointAgeSeconds ?? 0);
            }

            for (var p = 0; p < query.LagPerPartition.Count; p++)
            {
                _lag.WithLabels(query.Id, p.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(query.LagPerPartition[p]);
            }
        }

        await _registry.CollectAndExportAsTextAsync(output, cancellationToken).ConfigureAwait(false);
    }
}
