using Serilog;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>Counters of one query; bad records are logged at most once per burst (10 s) with the count since the last log line.</summary>
public sealed class QueryMetrics
{
    private static readonly TimeSpan Burst = TimeSpan.FromSeconds(10);
    private readonly ILogger _log;
    private readonly string _queryId;
    private long _recordsIn;
    private long _recordsOut;
    private long _badRecords;
    private long _badSinceLog;
    private long _lastLogTicks;

    public QueryMetrics(string queryId)
    {
        _queryId = queryId;
        _log = Log.ForContext<QueryMetrics>();
    }

    public string QueryId => _queryId;

    public long RecordsIn => Interlocked.Read(ref _recordsIn);

    public long RecordsOut => Interlocked.Read(ref _recordsOut);

    /// <summary>Records skipped because they did not deserialize or an expression failed on them.</summary>
    public long BadRecords => Interlocked.Read(ref _badRecords);

    /// <summary>Records dropped because the window they belong to had closed (event time older than stream time minus grace).</summary>
    public long LateRecords => Interlocked.Read(ref _lateRecords);

    private long _lateRecords;

    public void CountLate(long n) => Interlocked.Add(ref _lateRecords, n);

    public void CountIn(int n) => Interlocked.Add(ref _recordsIn, n);

    public void CountOut(int n) => Interlocked.Add(ref _recordsOut, n);

    /// <summary>
    /// Receives end-to-end latencies in seconds (the /metrics histogram); null when nothing listens. For each source record of
    /// a batch: the time the batch's output was written (and its offset committed) minus the record's timestamp.
    /// </summary>
    public Action<double>? LatencyObserver { get; set; }

    public void ObserveLatency(List<TopicRecord> records)
    {
        if (LatencyObserver is not { } observe || records.Count == 0)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var record in records)
        {
            observe(Math.Max(0, now - record.Timestamp) / 1000.0);
        }
    }

    /// <summary>As ObserveLatency, from the records' timestamps (epoch milliseconds).</summary>
    public void ObserveLatency(List<long> timestamps)
    {
        if (LatencyObserver is not { } observe || timestamps.Count == 0)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var timestamp in timestamps)
        {
            observe(Math.Max(0, now - timestamp) / 1000.0);
        }
    }

    /// <summary>
    /// Receives processing latencies: for a batch, the time from when its task read its source records to when the
    /// batch's output was written, and how many source records it covered (each had that latency). Null when nothing
    /// listens (the benchmark listens; unlike LatencyObserver, this does not count a record's wait in its topic).
    /// </summary>
    public Action<TimeSpan, int>? ProcessingLatencyObserver { get; set; }

    /// <summary>Reports a batch's processing latency: now minus startTicks (Stopwatch.GetTimestamp when its records were read).</summary>
    public void ObserveProcessingLatency(long startTicks, int records)
    {
        if (ProcessingLatencyObserver is { } observe && records > 0)
        {
            observe(System.Diagnostics.Stopwatch.GetElapsedTime(startTicks), records);
        }
    }

    /// <summary>The reason the latest bad record was skipped, for DESCRIBE EXTENDED.</summary>
    public string? LastError { get; private set; }

    /// <summary>Expression errors on single rows (the value became NULL or the row was filtered out).</summary>
    public long ExpressionErrors => Interlocked.Read(ref _expressionErrors);

    private long _expressionErrors;

    public void RecordExpressionError(Parser.Errors.SqlException error)
    {
        Interlocked.Increment(ref _expressionErrors);
        LastError = $"{error.SqlState}: {error.Message}";
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastLogTicks);
        if ((last == 0 || now - last >= Burst.TotalMilliseconds) && Interlocked.CompareExchange(ref _lastLogTicks, now, last) == last)
        {
            _log.Warning("Query {QueryId}: an expression failed on a row and gave NULL ({ErrorCount} so far): {Error}", _queryId, ExpressionErrors, error.Message);
        }
    }

    public void RecordBad(string topic, int partition, TopicRecord record, string reason)
    {
        LastError = $"{topic}/{partition}@{record.Offset}: {reason}";
        Interlocked.Increment(ref _badRecords);
        var pending = Interlocked.Increment(ref _badSinceLog);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastLogTicks);
        if ((last == 0 || now - last >= Burst.TotalMilliseconds) && Interlocked.CompareExchange(ref _lastLogTicks, now, last) == last)
        {
            Interlocked.Add(ref _badSinceLog, -pending);
            _log.Warning("Query {QueryId} skipped {Count} bad record(s); latest at {Topic}/{Partition}@{Offset}: {Reason}",
                _queryId, pending, topic, partition, record.Offset, reason);
        }
    }
}
