using Serilog;
using Serilog.Events;
using StreamSql.Bench;

// dotnet run -c Release --project bench/StreamSql.Bench -- nexmark --query q0[,q1,...|all] --events 1000000 [--source generator|topic] [--workers N] [--seed 0]
//   [--state-memory MB] [--fsync always|never] [--warmup-events N] [--query-warmups N] [--alloc-profile] [--repeat N]
// One JSON line per query on stdout; engine logs (warnings and up) on stderr. With --repeat N each query runs N times
// (engine and baseline each time): every run's line goes to stderr, the run with the median ratio to stdout.
if (args.Length > 0 && args[0] == "nexmark" && GcSettings.RestartWithServerSettings(args) is { } exitCode)
{
    return exitCode;
}

// STREAMSQL_BENCH_LOG=Debug shows the engine's own log (state stores opened, index growth, checkpoints) on stderr.
var logLevel = Enum.TryParse<LogEventLevel>(Environment.GetEnvironmentVariable("STREAMSQL_BENCH_LOG"), ignoreCase: true, out var level) ? level : LogEventLevel.Warning;
Log.Logger = new LoggerConfiguration().MinimumLevel.Is(logLevel)
    .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose).CreateLogger();

if (args.Length == 2 && args[0] == "sql")
{
    // StreamSql.Bench sql FILE: runs the file's statements on a fresh engine in a temporary directory and prints
    // the rows of each query as tab-separated text (for working out queries; not part of the benchmark).
    await NexmarkBench.RunScriptAsync(File.ReadAllText(args[1]), Console.Out);
    return 0;
}

if (args.Length is 4 or 5 && args[0] == "expected")
{
    // StreamSql.Bench expected QUERY EVENTS EVENT_RATE [SEED]: the baseline's result rows as text, sorted (for .slt files).
    var checksum = new RowChecksum(keepText: true);
    var config = new StreamSql.Runtime.Nexmark.NexmarkConfig
    {
        Events = long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
        EventRate = double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
        Seed = args.Length == 5 ? long.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 0,
    };
    Baselines.Run(args[1], new StreamSql.Runtime.Nexmark.NexmarkGenerator(config), config.Events, checksum);
    foreach (var line in checksum.TextRows.Order(StringComparer.Ordinal))
    {
        Console.WriteLine(line);
    }

    return 0;
}

if (args.Length == 0 || args[0] != "nexmark")
{
    Console.Error.WriteLine("usage: StreamSql.Bench nexmark --query q0[,q1,...|all] --events N [--source generator|topic] [--workers N] [--seed S]"
        + " [--state-memory MB] [--fsync always|never] [--warmup-events N] [--query-warmups N] [--alloc-profile] [--repeat N]");
    return 2;
}

var queries = new List<string> { "q0" };
long events = 1_000_000;
var source = "generator";
var workers = 1;
var repeat = 1;
long seed = 0;
for (var i = 1; i < args.Length; i++)
{
    if (args[i] == "--alloc-profile")
    {
        NexmarkBench.Allocations = new AllocationSampler();
        continue;
    }

    var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--query":
            queries = value == "all" ? [.. NexmarkBench.Queries] : [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries)];
            break;
        case "--events":
            events = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--source":
            source = value;
            break;
        case "--workers":
            workers = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--warmup-events":
            NexmarkBench.WarmupEvents = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--query-warmups":
            NexmarkBench.QueryWarmups = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--state-memory":
            NexmarkBench.StateMemoryBytes = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) << 20;
            break;
        case "--fsync":
            NexmarkBench.SyncWrites = value switch
            {
                "always" => true,
                "never" => false,
                _ => throw new ArgumentException("--fsync is always or never"),
            };
            break;
        case "--repeat":
            repeat = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--seed":
            seed = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }

    i++;
}

if (workers < 1 || repeat < 1)
{
    Console.Error.WriteLine(workers < 1 ? "--workers must be at least 1" : "--repeat must be at least 1");
    return 2;
}

var failed = false;
foreach (var query in queries)
{
    if (workers > 1 && NexmarkBench.IsSinglePartition(query))
    {
        Console.Error.WriteLine($"{query}: joins two streams, which needs one partition; run it with --workers 1");
        continue;
    }

    var runs = new List<BenchResult>();
    for (var run = 0; run < repeat; run++)
    {
        runs.Add(await NexmarkBench.RunAsync(query, events, source, seed, workers));
        if (repeat > 1)
        {
            Console.Error.WriteLine(runs[^1].ToJson());
        }
    }

    var result = repeat > 1 ? RepeatedRuns.Median(runs) : runs[0];
    Console.WriteLine(result.ToJson());
    if (NexmarkBench.Allocations is { } sampler)
    {
        Console.Error.WriteLine($"{query}: allocations by type (sampled, timed engine run):");
        foreach (var line in sampler.Top(25))
        {
            Console.Error.WriteLine("  " + line);
        }

        Console.Error.WriteLine($"{query}: collections (timed engine run):");
        foreach (var line in sampler.Collections())
        {
            Console.Error.WriteLine("  " + line);
        }

        Console.Error.WriteLine($"{query}: bytes marked live, by root (timed engine run):");
        foreach (var line in sampler.Marked())
        {
            Console.Error.WriteLine("  " + line);
        }
    }
    failed |= !result.ChecksumMatch;
}

await Log.CloseAndFlushAsync();
return failed ? 1 : 0;
