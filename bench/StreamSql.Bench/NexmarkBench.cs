using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using StreamSql.Parser;
using StreamSql.Parser.Ast;
using StreamSql.Runtime.Engine;
using StreamSql.Runtime.Nexmark;
using StreamSql.Runtime.Operators;
using StreamSql.Runtime.Rows;

namespace StreamSql.Bench;

/// <summary>What one query's run measured; serialized as one JSON line.</summary>
public sealed record BenchResult(
    string Query, string Source, int Workers, long Events, double WallSeconds, double CpuSeconds, double EngineEventsPerSec, double EngineEventsPerCpuSec,
    double BaselineEventsPerSec, double Ratio, double PeakRssMb, double? P50LatencyMs, double? P99LatencyMs, long Rows, bool ChecksumMatch,
    long BaselineRows, double SetupSeconds, double GeneratorEventsPerSec)
{
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

    public static IReadOnlyList<string> Queries => Baselines.Queries;

    public static bool IsAggregate(string query) => Baselines.IsAggregate(query);

    public static string QueryDirectory =>
        Path.Combine(AppContext.BaseDirectory, "nexmark");

    public static async Task<BenchResult> RunAsync(string query, long events, string source, long seed = 0, CancellationToken cancellationToken = default)
    {
        if (!Queries.Contains(query))
        {
            throw new ArgumentException($"unknown query {query}; supported: {string.Join(", ", Queries)}", nameof(query));
        }

        if (source is not ("generator" or "topic"))
        {
            throw new ArgumentException("--source is generator or topic", nameof(source));
        }

        var sql = File.ReadAllText(Path.Combine(QueryDirectory, query + ".sql"));
        var config = new NexmarkConfig { Events = events, Seed = seed };
        if (Baselines.IsAggregate(query))
        {
            if (source != "topic")
            {
                throw new NotSupportedException($"{query} is an aggregating query: it runs as a persistent query, which reads a topic; use --source topic");
            }

            return await RunAggregateAsync(query, sql, config, cancellationToken).ConfigureAwait(false);
        }

        // Warm up the generator and the baseline's code so neither side pays the JIT in its timed run.
        Baselines.Run(query, new NexmarkGenerator(config), Math.Min(events, 50_000), new RowChecksum());

        var dataDirectory = Path.Combine(Path.GetTempPath(), "streamsql-bench-" + Guid.NewGuid().ToString("N"));
        var engineOutput = new RowChecksum();
        double wall, cpu, setup;
        try
        {
            await using var engine = await StreamEngine.OpenAsync(new EngineOptions(dataDirectory), cancellationToken).ConfigureAwait(false);
            var session = new SessionContext();
            var select = (SelectStatement)SqlParser.ParseOne(sql);

            // Warm-up: the same query over a small stream first, so the timed run does not pay the JIT either.
            var warmup = Math.Min(events, WarmupEvents);
            await CreateBidStreamAsync(engine, session, source == "topic" ? warmup : 0, seed, cancellationToken).ConfigureAwait(false);
            await RunEngineAsync(engine, session, select, source, config with { Events = warmup }, warmup, new RowChecksum(), cancellationToken).ConfigureAwait(false);
            await engine.ExecuteAsync(SqlParser.ParseOne("DROP STREAM bid DELETE TOPIC"), session, cancellationToken).ConfigureAwait(false);

            var setupClock = Stopwatch.StartNew();
            await CreateBidStreamAsync(engine, session, source == "topic" ? events : 0, seed, cancellationToken).ConfigureAwait(false);
            setup = setupClock.Elapsed.TotalSeconds;
            var cpuBefore = CpuTime();
            var clock = Stopwatch.StartNew();
            await RunEngineAsync(engine, session, select, source, config, events, engineOutput, cancellationToken).ConfigureAwait(false);
            wall = clock.Elapsed.TotalSeconds;
            cpu = (CpuTime() - cpuBefore).TotalSeconds;
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
        return new BenchResult(query, source, 1, events, wall, cpu, engineRate, cpu > 0 ? events / cpu : 0, baselineRate, engineRate / baselineRate,
            process.PeakWorkingSet64 / (1024.0 * 1024.0), null, null, engineOutput.Rows,
            engineOutput.Rows == baselineOutput.Rows && engineOutput.Sum == baselineOutput.Sum, baselineOutput.Rows, setup, events / generatorWall);
    }

    private const long WarmupEvents = 50_000;

    /// <summary>
    /// An aggregating query: the bids are written to the topic first (not timed); the timed part is the query file's
    /// CREATE TABLE ... AS SELECT statements and a FLUSH (every persistent query has consumed its input and its table
    /// is caught up). The final table is then read with a pull query (not timed) for the checksum. A first run on a
    /// small stream in its own engine warms up the JIT.
    /// </summary>
    private static async Task<BenchResult> RunAggregateAsync(string query, string sql, NexmarkConfig config, CancellationToken cancellationToken)
    {
        var events = config.Events;
        Baselines.Run(query, new NexmarkGenerator(config with { Events = Math.Min(events, WarmupEvents) }), Math.Min(events, WarmupEvents), new RowChecksum());
        await RunAggregateEngineAsync(sql, Math.Min(events, WarmupEvents), config.Seed, new RowChecksum(), cancellationToken).ConfigureAwait(false);

        var engineOutput = new RowChecksum();
        var (setup, wall, cpu) = await RunAggregateEngineAsync(sql, events, config.Seed, engineOutput, cancellationToken).ConfigureAwait(false);

        var baselineOutput = new RowChecksum();
        var baselineClock = Stopwatch.StartNew();
        Baselines.Run(query, new NexmarkGenerator(config), events, baselineOutput);
        var baselineWall = baselineClock.Elapsed.TotalSeconds;

        using var process = Process.GetCurrentProcess();
        var engineRate = events / wall;
        var baselineRate = events / baselineWall;
        return new BenchResult(query, "topic", 1, events, wall, cpu, engineRate, cpu > 0 ? events / cpu : 0, baselineRate, engineRate / baselineRate,
            process.PeakWorkingSet64 / (1024.0 * 1024.0), null, null, engineOutput.Rows,
            engineOutput.Rows == baselineOutput.Rows && engineOutput.Sum == baselineOutput.Sum, baselineOutput.Rows, setup, 0);
    }

    private static async Task<(double Setup, double Wall, double Cpu)> RunAggregateEngineAsync(string sql, long events, long seed, RowChecksum output,
        CancellationToken cancellationToken)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streamsql-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var engine = await StreamEngine.OpenAsync(new EngineOptions(dataDirectory), cancellationToken).ConfigureAwait(false);
            var session = new SessionContext();
            var setupClock = Stopwatch.StartNew();
            await CreateBidStreamAsync(engine, session, events, seed, cancellationToken).ConfigureAwait(false);
            var setup = setupClock.Elapsed.TotalSeconds;

            var statements = SqlParser.Parse(sql);
            var table = statements.OfType<CreateRelationStatement>().Last().Name.Name;
            var cpuBefore = CpuTime();
            var clock = Stopwatch.StartNew();
            foreach (var statement in statements)
            {
                await engine.ExecuteAsync(statement, session, cancellationToken).ConfigureAwait(false);
            }

            await engine.FlushAsync(cancellationToken).ConfigureAwait(false);
            var wall = clock.Elapsed.TotalSeconds;
            var cpu = (CpuTime() - cpuBefore).TotalSeconds;

            var result = (RowsResult)await engine.ExecuteAsync(SqlParser.ParseOne("SELECT * FROM " + table), session, cancellationToken).ConfigureAwait(false);
            var width = result.Columns.Count;
            await foreach (var row in result.Rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                output.AddRow(row, width);
            }

            return (setup, wall, cpu);
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

    /// <summary>Creates the bid stream of ddl.sql, filled with the bids of events events (0: empty).</summary>
    private static async Task CreateBidStreamAsync(StreamEngine engine, SessionContext session, long events, long seed, CancellationToken cancellationToken)
    {
        var ddl = File.ReadAllText(Path.Combine(QueryDirectory, "ddl.sql"))
            .Replace("${EVENTS}", events.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("${SEED}", seed.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        foreach (var statement in SqlParser.Parse(ddl))
        {
            // Only the bid stream: the queries measured here read bids.
            if (statement is CreateRelationStatement { Name.Name: "bid" })
            {
                await engine.ExecuteAsync(statement, session, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task RunEngineAsync(StreamEngine engine, SessionContext session, SelectStatement select, string source, NexmarkConfig config, long events,
        RowChecksum output, CancellationToken cancellationToken)
    {
        if (source == "generator")
        {
            RunOverGenerator(engine.CompileStatelessQuery(select.Query), new NexmarkGenerator(config), events, output);
            return;
        }

        var result = (RowsResult)await engine.ExecuteAsync(select, session, cancellationToken).ConfigureAwait(false);
        var width = result.Columns.Count;
        await foreach (var row in result.Rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            output.AddRow(row, width);
        }
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>The generator as the query's source: bid rows in the stream's row layout, in batches through the compiled pipeline.</summary>
    private static void RunOverGenerator(CompiledStatelessQuery query, NexmarkGenerator generator, long events, RowChecksum output)
    {
        var source = query.Source;
        var fields = source.Columns.Select(c => NexmarkTables.BidFields.First(f => f.Name == c.Name).Read).ToArray();
        var width = source.RowSchema.Count;
        var declared = source.Columns.Count;
        var outputWidth = query.Columns.Count;
        var batch = new RowBatch();
        long offset = 0;
        for (var n = 0L; n < events; n++)
        {
            if (generator.TypeOf(n) != NexmarkEventType.Bid)
            {
                continue;
            }

            var bid = generator.NextBid(n);
            var row = new Value[width];
            for (var i = 0; i < fields.Length; i++)
            {
                row[i] = fields[i](bid);
            }

            row[declared] = Value.FromTimestamp(bid.DateTime * 1000);
            row[declared + 1] = Value.FromInt(0);
            row[declared + 2] = Value.FromBigInt(offset++);
            batch.Add(row);
            if (batch.Count == BatchSize)
            {
                Flush(query.Pipeline, batch, output, outputWidth);
            }
        }

        Flush(query.Pipeline, batch, output, outputWidth);
    }

    private static void Flush(PartitionPipeline pipeline, RowBatch batch, RowChecksum output, int width)
    {
        pipeline.Process(batch);
        for (var i = 0; i < batch.Count; i++)
        {
            output.AddRow(batch.Row(i), width);
        }

        batch.Clear();
    }
}
