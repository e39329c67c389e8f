using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Runtime.Engine;
using StreamSql.Runtime.Nexmark;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;
using StreamSql.Runtime.State;

namespace StreamSql.Bench;

/// <summary>What one query's run measured; serialized as one JSON line.</summary>
public sealed record BenchResult(
    string Query, string Source, int Workers, long Events, double WallSeconds, double CpuSeconds, double EngineEventsPerSec, double EngineEventsPerCpuSec,
    double BaselineEventsPerSec, double Ratio, double PeakRssMb, double? P50LatencyMs, double? P99LatencyMs, long Rows, bool ChecksumMatch,
    long BaselineRows, double SetupSeconds, double GeneratorEventsPerSec)
{
    /// <summary>Bytes the whole process allocated on the managed heap during the timed engine run, per event.</summary>
    public double AllocatedBytesPerEvent { get; init; }

    /// <summary>Bytes written (write system calls: topics, state stores, checkpoints) during the timed engine run, per event.</summary>
    public double WrittenBytesPerEvent { get; init; }

    /// <summary>State store operations that waited for a record to be read back from disk during the timed engine run (aggregating queries).</summary>
    public long StateDiskReads { get; init; }

    /// <summary>What the garbage collector did during the timed engine run.</summary>
    public GcActivity Gc { get; init; }

    /// <summary>Peak resident set from the end of the warm-up to the end, the baseline's dictionaries included (PeakRssMb stops before the baseline).</summary>
    public double ProcessPeakRssMb { get; init; }

    /// <summary>With --repeat: how many runs this one is the median of (by ratio), and their ratios in order; 1 and empty otherwise.</summary>
    public int Runs { get; init; } = 1;

    public IReadOnlyList<double> RunRatios { get; init; } = [];

    public string ToJson() => new JsonObject
    {
        ["query"] = Query,
        ["source"] = Source,
        ["workers"] = Workers,
        ["events"] = Events,
        ["wall_seconds"] = Math.Round(WallSeconds, 3),
        ["cpu_seconds"] = Math.Round(CpuSeconds, 3),
        ["engine_events_per_sec"] = Math.Round(EngineEventsPerSec),
        ["engine_events_per_cpu_sec"] = Math.Round(EngineEventsPerCpuSec),
        ["baseline_events_per_sec"] = Math.Round(BaselineEventsPerSec),
        ["ratio"] = Math.Round(Ratio, 3),
        ["peak_rss_mb"] = Math.Round(PeakRssMb, 1),
        ["p50_latency_ms"] = P50LatencyMs,
        ["p99_latency_ms"] = P99LatencyMs,
        ["rows"] = Rows,
        ["checksum_match"] = ChecksumMatch,
        ["baseline_rows"] = BaselineRows,
        ["setup_seconds"] = Math.Round(SetupSeconds, 3),
        ["generator_events_per_sec"] = Math.Round(GeneratorEventsPerSec),
        ["allocated_bytes_per_event"] = Math.Round(AllocatedBytesPerEvent),
        ["process_peak_rss_mb"] = Math.Round(ProcessPeakRssMb, 1),
        ["written_bytes_per_event"] = Math.Round(WrittenBytesPerEvent),
        ["state_disk_reads"] = StateDiskReads,
        ["gc_pause_seconds"] = Math.Round(Gc.PauseSeconds, 3),
        ["gc_collections"] = $"{Gc.Gen0}/{Gc.Gen1}/{Gc.Gen2}",
        ["runs"] = Runs,
        ["run_ratios"] = new JsonArray([.. RunRatios.Select(r => (JsonNode?)JsonValue.Create(Math.Round(r, 3)))]),
    }.ToJsonString();
}

/// <summary>
/// The Nexmark benchmark: runs a query through the engine in process and the hand-written baseline over the same
/// generated events, and compares their outputs. Sources: "generator" pushes generated rows straight through the query's
/// compiled partition pipeline (no topic, no JSON); "topic" writes the events as JSON into the embedded topic first
/// (CREATE STREAM ... WITH (connector='nexmark'), not timed: setup_seconds) and then times the pull query reading them
/// through the normal source path (FasterLog reader, JSON decoding, operators).
/// </summary>
public static class NexmarkBench
{
    private const int BatchSize = 512;

    /// <summary>The generator source times one event in this many (the first of each run of them in a batch) for the latency percentiles.</summary>
    private const int LatencySampleEvery = 16;

    /// <summary>Queries that run on one partition only, and why.</summary>
    private static readonly Dictionary<string, string> SinglePartitionQueries = new()
    {
        ["q3"] = "joins two streams, which needs both on one partition (or KEY columns, which the nexmark connector does not have)",
    };

    /// <summary>Other forms of a query (their own .sql file), checked against the same baseline.</summary>
    private static readonly Dictionary<string, string> Variants = new()
    {
        // q5 through a table of counts and a second query over it: one topic and table more, but it runs on several partitions.
        ["q5-tables"] = "q5",
        // q8 as three statements: its two aggregations are user tables (JSON changelogs) that a third one joins.
        ["q8-tables"] = "q8",
    };

    public static IReadOnlyList<string> Queries => Baselines.Queries;

    public static bool IsAggregate(string query) => Baselines.IsAggregate(query);

    public static bool IsSinglePartition(string query) => SinglePartitionQueries.ContainsKey(query);

    /// <summary>The query whose baseline checks a query or variant.</summary>
    public static string BaselineOf(string query) => Variants.GetValueOrDefault(query, query);

    public static string QueryDirectory =>
        Path.Combine(AppContext.BaseDirectory, "nexmark");

    public static async Task<BenchResult> RunAsync(string query, long events, string source, long seed = 0, CancellationToken cancellationToken = default) =>
        await RunAsync(query, events, source, seed, 1, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs one query with workers parallel partition tasks: the generator source splits the events over workers
    /// pipelines run on their own threads; the topic sources write the events into workers partitions, and the engine
    /// runs one task per partition.
    /// </summary>
    public static async Task<BenchResult> RunAsync(string query, long events, string source, long seed, int workers, CancellationToken cancellationToken = default)
    {
        if (workers < 1)
        {
            throw new ArgumentException("--workers must be at least 1", nameof(workers));
        }

        if (workers > 1 && SinglePartitionQueries.TryGetValue(query, out var reason))
        {
            throw new NotSupportedException($"{query} {reason}: run it with --workers 1");
        }

        if (!Queries.Contains(query) && !Variants.ContainsKey(query))
        {
            throw new ArgumentException($"unknown query {query}; supported: {string.Join(", ", Queries.Concat(Variants.Keys))}", nameof(query));
        }

        var reference = BaselineOf(query);

        if (source is not ("generator" or "topic"))
        {
            throw new ArgumentException("--source is generator or topic", nameof(source));
        }

        var sql = File.ReadAllText(Path.Combine(QueryDirectory, query + ".sql"));
        var config = new NexmarkConfig { Events = events, Seed = seed };
        if (Baselines.IsAggregate(reference))
        {
            return await RunAggregateAsync(query, reference, sql, config, source, workers, cancellationToken).ConfigureAwait(false);
        }

        // Warm up the generator and the baseline's code so neither side pays the JIT in its timed run.
        Baselines.Run(query, new NexmarkGenerator(config), WarmupFor(events), new RowChecksum());

        var dataDirectory = Path.Combine(Path.GetTempPath(), "streamsql-bench-" + Guid.NewGuid().ToString("N"));
        var engineOutput = new RowChecksum();
        var latency = new LatencyHistogram();
        LatencyHistogram? observed = null;
        double wall, cpu, setup;
        long allocated;
        GcActivity gc;
        long written;
        try
        {
            // The topic source: the engine reports each batch's processing latency (read to output) once the timed run starts.
            var options = new EngineOptions(dataDirectory) { QueryProcessingLatencyObserver = _ => (elapsed, records) => observed?.RecordShared(elapsed, records), SyncWrites = SyncWrites };
            await using var engine = await StreamEngine.OpenAsync(options, cancellationToken).ConfigureAwait(false);
            var session = new SessionContext();
            var select = (SelectStatement)SqlParser.ParseOne(sql);

            // Warm-up: the same query over a small stream first, so the timed run does not pay the JIT either.
            var warmup = WarmupFor(events);
            await CreateStreamsAsync(engine, session, sql, source == "topic" ? warmup : 0, seed, workers, cancellationToken).ConfigureAwait(false);
            await RunEngineAsync(engine, session, select, source, config with { Events = warmup }, warmup, workers, GeneratorWorkers.Prepare(engine, select, source, workers),
                new RowChecksum(), null, cancellationToken).ConfigureAwait(false);
            await engine.ExecuteAsync(SqlParser.ParseOne("DROP STREAM bid DELETE TOPIC"), session, cancellationToken).ConfigureAwait(false);
            await WaitForJitQuietAsync(cancellationToken).ConfigureAwait(false);
            ForgetWarmupMemory();

            var setupClock = Stopwatch.StartNew();
            await CreateStreamsAsync(engine, session, sql, source == "topic" ? events : 0, seed, workers, cancellationToken).ConfigureAwait(false);
            setup = setupClock.Elapsed.TotalSeconds;
            observed = source == "topic" ? latency : null;
            // Compiled, with each worker's checksum and latency histogram (8 MB), before the clock starts.
            var prepared = GeneratorWorkers.Prepare(engine, select, source, workers);
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var gcBefore = GcActivity.Now();
            var writtenBefore = WrittenBytes.Now();
            var cpuBefore = CpuTime();
            var clock = Stopwatch.StartNew();
            var started = Stopwatch.GetTimestamp();
            var jitBefore = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
            Allocations?.Start();
            await RunEngineAsync(engine, session, select, source, config, events, workers, prepared, engineOutput, source == "generator" ? latency : null, cancellationToken)
                .ConfigureAwait(false);
            Allocations?.Stop();
            wall = clock.Elapsed.TotalSeconds;
            ReportTimedWindow(events, started, jitBefore);
            cpu = (CpuTime() - cpuBefore).TotalSeconds;
            allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
            gc = GcActivity.Now() - gcBefore;
            written = WrittenBytes.Now() - writtenBefore;
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        var enginePeakRss = PeakRssMb();
        var baselineOutput = new RowChecksum();
        var baselineClock = Stopwatch.StartNew();
        Baselines.Run(query, new NexmarkGenerator(config), events, baselineOutput);
        var baselineWall = baselineClock.Elapsed.TotalSeconds;

        // The generator alone (bids only, as the queries' source produces them), to show its share of both.
        var generator = new NexmarkGenerator(config);
        var generatorClock = Stopwatch.StartNew();
        long sink = 0;
        for (var n = 0L; n < events; n++)
        {
            if (generator.TypeOf(n) == NexmarkEventType.Bid)
            {
                sink += generator.NextBid(n).Price;
            }
        }

        var generatorWall = generatorClock.Elapsed.TotalSeconds;
        GC.KeepAlive(sink);

        using var process = Process.GetCurrentProcess();
        var engineRate = events / wall;
        var baselineRate = events / baselineWall;
        return new BenchResult(query, source, workers, events, wall, cpu, engineRate, cpu > 0 ? events / cpu : 0, baselineRate, engineRate / baselineRate,
            enginePeakRss, latency.PercentileMs(0.50), latency.PercentileMs(0.99), engineOutput.Rows,
            engineOutput.Rows == baselineOutput.Rows && engineOutput.Sum == baselineOutput.Sum, baselineOutput.Rows, setup, events / generatorWall)
        {
            AllocatedBytesPerEvent = allocated / (double)events,
            ProcessPeakRssMb = process.PeakWorkingSet64 / (1024.0 * 1024.0),
            Gc = gc,
            WrittenBytesPerEvent = written / (double)events,
        };
    }

    /// <summary>
    /// --warmup-events: the events of the untimed run before each measured one (JIT, tier-up); by default as many as the
    /// measured run, so the warm-up also reaches what only a long run does (checkpoints, state spilling to disk).
    /// </summary>
    public static long? WarmupEvents { get; set; }

    /// <summary>
    /// --query-warmups: persistent queries' statements first run this many times over 20,000 events each (their own
    /// engines), so the code that starts a query (parsing, planning, compiling expressions, opening stores) reaches tier 1
    /// before the timed run, as in a server that has started queries before: one long warm-up starts the query once, and
    /// the timed run's start then crossed the runtime's call-count threshold for some 800 methods (q8). Not for runs of at
    /// most 100,000 events (smoke runs, the tests'). With two workers too: without them the timed run compiled 622-731
    /// methods (q5, q8; 0.6-1.7 s of JIT time on the two cores the engine runs on), with them 80-140, and q8 went from
    /// 4.4-5.0 M to 6.1 M events/s. (They were once one-worker only: then, with two workers, they left the GC's dynamic
    /// adaptation in a state that doubled the timed run's collections; q5's and q8's collections are now the same with
    /// and without them.) Forty, not twenty (session 24): a method called once per statement needs some 60 calls to reach
    /// tier 1 (tier 0, then instrumented), so after 20 starts of q8's three statements the parser's and planner's rules
    /// still crossed the threshold in the timed run (up to 200 methods, 0.3-0.9 s of JIT time); after 40, its timed run
    /// compiled 29-37 methods in 17-20 ms.
    /// </summary>
    public static int QueryWarmups { get; set; } = 40;

    private static long WarmupFor(long events) => Math.Min(events, WarmupEvents ?? events);

    /// <summary>
    /// Aggregating queries repeat their full-size warm-up (at most this many in all) until one compiles fewer than
    /// <see cref="QuietWarmupMethods"/> methods. Methods called once per batch or per query start reach the call counts
    /// that promote them (tier 0, then instrumented, then tier 1: some 60 calls) only over several runs: after a single
    /// warm-up, q8's timed run still compiled 24-296 methods in 8 ms to 1.1 s of JIT time (TableState.Apply, FASTER's
    /// read-only-region read, the parser's rules), and on one core that time is taken from the engine: q8's ratio then
    /// ranged 0.23-0.41 between runs of the same build.
    /// </summary>
    private const int MaxWarmups = 3;

    // The timed run itself compiles about 30-50: the query's own expressions (compiled per query, fully optimized).
    private const int QuietWarmupMethods = 100;

    /// <summary>--state-memory (MB): the engine's budget for all state stores in aggregating queries (the server's default: 64 MB).</summary>
    public static long StateMemoryBytes { get; set; } = 64L << 20;

    /// <summary>The engine's --fsync policy: true (always, the server's default) or false (never: writes to the page cache).</summary>
    public static bool SyncWrites { get; set; } = true;

    /// <summary>--alloc-profile: samples allocations by type during the timed engine run (printed on stderr).</summary>
    public static AllocationSampler? Allocations { get; set; }

    /// <summary>
    /// An aggregating query. Topic source: the events are written to the streams' topics first (not timed). Generator
    /// source: the streams are declared with nexmark_storage='none', so the persistent queries read events generated in
    /// process (no JSON, no disk). The timed part is the query file's
    /// CREATE TABLE ... AS SELECT statements and a FLUSH (every persistent query has consumed its input and its table
    /// is caught up). The final table is then read with a pull query (not timed) for the checksum. A first run on a
    /// small stream in its own engine warms up the JIT.
    /// </summary>
    /// <summary>
    /// Waits (at most 10 s) until the runtime has compiled nothing for 200 ms. Methods the warm-up made hot are queued for
    /// tier-1 compilation on a background thread; with the process pinned to one core that thread runs when the engine
    /// lets it, so without this wait it compiled the warm-up's code inside the timed run (10-17% of q3's and q8's samples).
    /// </summary>
    private static async Task WaitForJitQuietAsync(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quietSince = waited.Elapsed;
        while (waited.Elapsed < TimeSpan.FromSeconds(10) && waited.Elapsed - quietSince < TimeSpan.FromMilliseconds(200))
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                quietSince = waited.Elapsed;
            }
        }
    }

    /// <summary>
    /// The engine run's span on the monotonic clock (Stopwatch's on Linux), on stderr: `perf record -k mono` samples
    /// can then be cut to exactly the timed run (`perf script --time start,end`). With the methods the JIT compiled during
    /// it and its time (from #N: where they start in a `DOTNET_JitStdOutFile` list).
    /// </summary>
    private static void ReportTimedWindow(long events, long started, (long Methods, TimeSpan Time) jitBefore)
    {
        var ended = Stopwatch.GetTimestamp();
        var methods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore.Methods;
        var jitMillis = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore.Time).TotalMilliseconds;
        Console.Error.WriteLine(FormattableString.Invariant(
            $"engine run of {events} events: monotonic {started / (double)Stopwatch.Frequency:F3},{ended / (double)Stopwatch.Frequency:F3}; JIT compiled {methods} methods (from #{jitBefore.Methods}) in {jitMillis:F0} ms"));
    }

    private static async Task<BenchResult> RunAggregateAsync(string query, string reference, string sql, NexmarkConfig config, string source, int workers, CancellationToken cancellationToken)
    {
        var events = config.Events;
        var generated = source == "generator";
        Baselines.Run(reference, new NexmarkGenerator(config with { Events = WarmupFor(events) }), WarmupFor(events), new RowChecksum());
        for (var i = 0; events > 100_000 && i < QueryWarmups; i++)
        {
            await RunAggregateEngineAsync(sql, Math.Min(events, 20_000), config.Seed, workers, generated, new RowChecksum(), new LatencyHistogram(), cancellationToken, report: false)
                .ConfigureAwait(false);
        }

        for (var warmups = 1; ; warmups++)
        {
            var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            await RunAggregateEngineAsync(sql, WarmupFor(events), config.Seed, workers, generated, new RowChecksum(), new LatencyHistogram(), cancellationToken)
                .ConfigureAwait(false);
            await WaitForJitQuietAsync(cancellationToken).ConfigureAwait(false);
            if (warmups == MaxWarmups || System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore < QuietWarmupMethods)
            {
                break;
            }
        }

        ForgetWarmupMemory();

        var engineOutput = new RowChecksum();
        var latency = new LatencyHistogram();
        var (setup, wall, cpu, allocated, enginePeakRss, gc, written, diskReads) = await RunAggregateEngineAsync(sql, events, config.Seed, workers, generated, engineOutput, latency, cancellationToken)
            .ConfigureAwait(false);

        var baselineOutput = new RowChecksum();
        var baselineClock = Stopwatch.StartNew();
        Baselines.Run(reference, new NexmarkGenerator(config), events, baselineOutput);
        var baselineWall = baselineClock.Elapsed.TotalSeconds;

        using var process = Process.GetCurrentProcess();
        var engineRate = events / wall;
        var baselineRate = events / baselineWall;
        return new BenchResult(query, source, workers, events, wall, cpu, engineRate, cpu > 0 ? events / cpu : 0, baselineRate, engineRate / baselineRate,
            enginePeakRss, latency.PercentileMs(0.50), latency.PercentileMs(0.99), engineOutput.Rows,
            engineOutput.Rows == baselineOutput.Rows && engineOutput.Sum == baselineOutput.Sum, baselineOutput.Rows, setup, 0)
        {
            AllocatedBytesPerEvent = allocated / (double)events,
            ProcessPeakRssMb = process.PeakWorkingSet64 / (1024.0 * 1024.0),
            Gc = gc,
            WrittenBytesPerEvent = written / (double)events,
            StateDiskReads = diskReads,
        };
    }

    private static async Task<(double Setup, double Wall, double Cpu, long Allocated, double PeakRss, GcActivity Gc, long Written, long DiskReads)> RunAggregateEngineAsync(string sql, long events, long seed, int partitions, bool generated,
        RowChecksum output, LatencyHistogram latency, CancellationToken cancellationToken, bool report = true)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streamsql-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Every persistent query (and internal stage) reports each batch's processing latency: read to output written.
            var options = new EngineOptions(dataDirectory) { QueryProcessingLatencyObserver = _ => latency.RecordShared, StateMemoryBytes = StateMemoryBytes, SyncWrites = SyncWrites };
            await using var engine = await StreamEngine.OpenAsync(options, cancellationToken).ConfigureAwait(false);
            var session = new SessionContext();
            var setupClock = Stopwatch.StartNew();
            await CreateStreamsAsync(engine, session, sql, events, seed, partitions, cancellationToken, generated).ConfigureAwait(false);
            var setup = setupClock.Elapsed.TotalSeconds;

            var statements = SqlParser.Parse(sql);
            var table = statements.OfType<CreateRelationStatement>().Last().Name.Name;
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var gcBefore = GcActivity.Now();
            var writtenBefore = WrittenBytes.Now();
            var stores = (FasterStateStoreProvider)engine.StateStores;
            var diskReadsBefore = stores.DiskReads;
            var cpuBefore = CpuTime();
            var clock = Stopwatch.StartNew();
            var started = Stopwatch.GetTimestamp();
            var jitBefore = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
            Allocations?.Start();
            foreach (var statement in statements)
            {
                await engine.ExecuteAsync(statement, session, cancellationToken).ConfigureAwait(false);
            }

            // The result table is materialized for pull queries as it is computed, as when a client reads it: derived tables
            // materialize at their first reader (intermediate ones, which nothing reads, never do), so the benchmark is that reader.
            var final = engine.Catalog.FindStream(table) is { Kind: not RelationKind.Stream } found ? found : null;
            if (final is not null)
            {
                engine.GetTableState(final).Start();
            }

            await engine.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (final is not null)
            {
                await engine.MaterializedTableAsync(final, cancellationToken).ConfigureAwait(false);
            }

            Allocations?.Stop();
            if (report)
            {
                ReportTimedWindow(events, started, jitBefore);
            }

            var wall = clock.Elapsed.TotalSeconds;
            var cpu = (CpuTime() - cpuBefore).TotalSeconds;
            var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
            var gc = GcActivity.Now() - gcBefore;
            var written = WrittenBytes.Now() - writtenBefore;
            var diskReads = stores.DiskReads - diskReadsBefore;

            // Before the checksum's pull query, which holds the whole final table (q18: 2.9 M rows at 10 M events).
            var peakRss = PeakRssMb();

            var result = (RowsResult)await engine.ExecuteAsync(SqlParser.ParseOne("SELECT * FROM " + table), session, cancellationToken).ConfigureAwait(false);
            var width = result.Columns.Count;
            await foreach (var row in result.Rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                output.AddRow(row, width);
            }

            return (setup, wall, cpu, allocated, peakRss, gc, written, diskReads);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Runs statements on a fresh engine and writes each result's rows as tab-separated text.</summary>
    public static async Task RunScriptAsync(string sql, TextWriter output, CancellationToken cancellationToken = default)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streamsql-script-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var engine = await StreamEngine.OpenAsync(new EngineOptions(dataDirectory), cancellationToken).ConfigureAwait(false);
            var session = new SessionContext();
            foreach (var statement in SqlParser.Parse(sql))
            {
                var result = await engine.ExecuteAsync(statement, session, cancellationToken).ConfigureAwait(false);
                if (result is RowsResult rows)
                {
                    output.WriteLine("# " + string.Join("\t", rows.Columns.Select(c => c.Name)));
                    await foreach (var row in rows.Rows.WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        output.WriteLine(string.Join("\t", row.Take(rows.Columns.Count).Select(v => v.IsNull ? "NULL" : v.ToText())));
                    }
                }
                else
                {
                    output.WriteLine("# " + result);
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// Creates the streams of ddl.sql that the query reads (FROM or JOIN person, auction, bid), each filled with its events
    /// among the first events of the timeline (0: empty), over the given number of partitions.
    /// </summary>
    private static async Task CreateStreamsAsync(StreamEngine engine, SessionContext session, string querySql, long events, long seed, int partitions,
        CancellationToken cancellationToken, bool generated = false)
    {
        var ddl = File.ReadAllText(Path.Combine(QueryDirectory, "ddl.sql"))
            .Replace("${EVENTS}", events.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("${SEED}", seed.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("partitions=1", "partitions=" + partitions.ToString(CultureInfo.InvariantCulture) + (generated ? ", nexmark_storage='none'" : ""), StringComparison.Ordinal);
        var body = string.Join('\n', querySql.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        foreach (var statement in SqlParser.Parse(ddl))
        {
            if (statement is CreateRelationStatement { Name.Name: var name }
                && System.Text.RegularExpressions.Regex.IsMatch(body, @"\b(FROM|JOIN)\s+((TUMBLE|HOP)\s*\(\s*)?" + name + @"\b",
                    System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            {
                await engine.ExecuteAsync(statement, session, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The generator source's workers, made before a run: one compiled pipeline, checksum and latency histogram per worker
    /// (one worker writes to the run's own checksum and histogram). Null for the topic source.
    /// </summary>
    private sealed record GeneratorWorkers(CompiledStatelessQuery[] Queries, RowChecksum[] Outputs, LatencyHistogram[] Latencies)
    {
        public static GeneratorWorkers? Prepare(StreamEngine engine, SelectStatement select, string source, int workers)
        {
            if (source != "generator")
            {
                return null;
            }

            var queries = new CompiledStatelessQuery[workers];
            for (var w = 0; w < workers; w++)
            {
                queries[w] = engine.CompileStatelessQuery(select.Query);
            }

            var several = workers > 1;
            return new GeneratorWorkers(queries, several ? [.. Enumerable.Range(0, workers).Select(_ => new RowChecksum())] : [],
                several ? [.. Enumerable.Range(0, workers).Select(_ => new LatencyHistogram())] : []);
        }
    }

    private static async Task RunEngineAsync(StreamEngine engine, SessionContext session, SelectStatement select, string source, NexmarkConfig config, long events,
        int workers, GeneratorWorkers? prepared, RowChecksum output, LatencyHistogram? latency, CancellationToken cancellationToken)
    {
        if (prepared is not null)
        {
            if (workers == 1)
            {
                RunOverGenerator(prepared.Queries[0], new NexmarkGenerator(config), new ChunkDealer(events), 0, output, latency);
                return;
            }

            // Each worker on its own thread; their checksums and histograms are merged at the end.
            var (outputs, latencies) = (prepared.Outputs, prepared.Latencies);
            var tasks = new Task[workers];
            var chunks = new ChunkDealer(events);
            for (var w = 0; w < workers; w++)
            {
                var worker = w;
                var query = prepared.Queries[w];
                tasks[w] = Task.Factory.StartNew(() => RunOverGenerator(query, new NexmarkGenerator(config), chunks, worker, outputs[worker], latencies[worker]),
                    cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
            for (var w = 0; w < workers; w++)
            {
                output.Merge(outputs[w]);
                latency?.Merge(latencies[w]);
            }

            return;
        }

        var result = (RowsResult)await engine.ExecuteAsync(select, session, cancellationToken).ConfigureAwait(false);
        var width = result.Columns.Count;
        await foreach (var row in result.Rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            output.AddRow(row, width);
        }
    }

    /// <summary>
    /// After the warm-up: returns its garbage to the OS and resets the process's peak resident set (Linux: VmHWM via
    /// /proc/self/clear_refs), so peak_rss_mb is the timed run's, not the warm-up engine's still held by the GC.
    /// </summary>
    private static void ForgetWarmupMemory()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak then includes the warm-up's.
        }
    }

    /// <summary>The process's peak resident set so far (VmHWM), in MB.</summary>
    private static double PeakRssMb()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Event numbers go to the workers in chunks of this many, each taking the next unclaimed chunk when it is done with one.</summary>
    private const long ChunkEvents = 4096;

    /// <summary>
    /// Hands out chunks of event numbers in order to whichever worker asks (as a source coordinator assigns splits to readers
    /// on request): a worker on a core that runs slower takes fewer chunks instead of finishing last. Dealt round-robin
    /// (worker w taking chunks w, w + workers, ...), two-worker q0 left a core idle 3-15% of the run's wall time.
    /// </summary>
    private sealed class ChunkDealer(long events)
    {
        private long _next;

        /// <summary>Takes the next chunk's event numbers [start, end); false when every chunk is taken.</summary>
        public bool TryTake(out long start, out long end)
        {
            start = Interlocked.Add(ref _next, ChunkEvents) - ChunkEvents;
            end = Math.Min(events, start + ChunkEvents);
            return start < events;
        }
    }

    /// <summary>
    /// The generator as the query's source: bid rows in the stream's row layout, in batches through the compiled pipeline.
    /// This is worker `worker`: it takes chunks of event numbers from the dealer until none is left. Every
    /// LatencySampleEvery-th row's generation time is taken when the generator produced it (a clock read per event was 4%
    /// of q0's samples with two workers, work the baseline does not do); when its batch's output has been handed to the checksum, the
    /// latency of each timed event of the batch (output time minus generation time) goes to the histogram.
    /// </summary>
    private static void RunOverGenerator(CompiledStatelessQuery query, NexmarkGenerator generator, ChunkDealer chunks, int worker, RowChecksum output,
        LatencyHistogram? latency)
    {
        var source = query.Source;
        var fields = NexmarkTables.FieldIndexes(NexmarkEventType.Bid, source.Columns);
        var width = source.RowSchema.Count;
        var declared = source.Columns.Count;
        var outputWidth = query.Columns.Count;
        var batch = new RowBatch { Partition = worker };
        // As the engine's partition tasks do for a pipeline that releases its input rows: a batch's row arrays serve the next.
        var rows = query.Pipeline.ReleasesInputRows ? new Runtime.Queries.RowArrayPool() : null;
        var generated = new long[BatchSize];
        var inBatch = 0;
        long offset = 0;
        while (chunks.TryTake(out var start, out var end))
        {
            for (var n = start; n < end; n++)
            {
                if (generator.TypeOf(n) != NexmarkEventType.Bid)
                {
                    continue;
                }

                var bid = generator.NextBid(n);
                // Every value of the row is written below.
                var row = rows?.Rent(width, overwritten: true) ?? new Value[width];
                for (var i = 0; i < fields.Length; i++)
                {
                    row[i] = NexmarkTables.Read(bid, fields[i]);
                }

                row[declared] = Value.FromTimestamp(bid.DateTime * 1000);
                row[declared + 1] = Value.FromInt(worker);
                row[declared + 2] = Value.FromBigInt(offset++);
                batch.Add(row);
                if (latency is not null && inBatch % LatencySampleEvery == 0)
                {
                    generated[inBatch / LatencySampleEvery] = Stopwatch.GetTimestamp();
                }

                if (++inBatch == BatchSize)
                {
                    Flush(query.Pipeline, batch, output, outputWidth, generated, inBatch, latency);
                    rows?.ReturnAll();
                    inBatch = 0;
                }
            }
        }

        Flush(query.Pipeline, batch, output, outputWidth, generated, inBatch, latency);
    }

    private static void Flush(PartitionPipeline pipeline, RowBatch batch, RowChecksum output, int width, long[] generated, int events, LatencyHistogram? latency)
    {
        pipeline.Process(batch);
        for (var i = 0; i < batch.Count; i++)
        {
            output.AddRow(batch.Row(i), width);
        }

        batch.Clear();
        if (latency is not null)
        {
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < (events + LatencySampleEvery - 1) / LatencySampleEvery; i++)
            {
                latency.Record(now - generated[i]);
            }
        }
    }
}

/// <summary>
/// Latencies counted in buckets of one microsecond up to one second, then of one millisecond up to 100 seconds (and
/// one bucket above); merged over workers, read as percentiles in milliseconds. Empty: the percentiles are null.
/// </summary>
public sealed class LatencyHistogram
{
    private const int FineBuckets = 1_000_000;
    private const int Buckets = FineBuckets + 99_000;
    private readonly long[] _counts = new long[Buckets + 1];
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    public long Count { get; private set; }

    /// <summary>Records one latency in Stopwatch ticks.</summary>
    public void Record(long ticks)
    {
        _counts[Bucket((long)(ticks * MicrosPerTick))]++;
        Count++;
    }

    private static int Bucket(long micros) =>
        micros < 0 ? 0 : micros < FineBuckets ? (int)micros : (int)Math.Min(Buckets, FineBuckets + (micros - FineBuckets) / 1000);

    /// <summary>A bucket's upper bound in milliseconds.</summary>
    private static double UpperMs(int bucket) => bucket < FineBuckets ? (bucket + 1) / 1000.0 : 1000.0 + (bucket - FineBuckets + 1);

    /// <summary>Records count samples of one latency; safe to call from several threads (the engine's partition tasks).</summary>
    public void RecordShared(TimeSpan latency, int count)
    {
        lock (_counts)
        {
            _counts[Bucket(latency.Ticks / 10)] += count;
            Count += count;
        }
    }

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i <= Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// <summary>The smallest latency (ms, bucket upper bound) that at least fraction q of the samples do not exceed.</summary>
    public double? PercentileMs(double q)
    {
        if (Count == 0)
        {
            return null;
        }

        var target = (long)Math.Ceiling(q * Count);
        long seen = 0;
        for (var i = 0; i <= Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= target && seen > 0)
            {
                return Math.Round(UpperMs(i), 3);
            }
        }

        return UpperMs(Buckets);
    }
}
