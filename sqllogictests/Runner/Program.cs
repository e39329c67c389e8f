using System.Globalization;

namespace StreamSql.SqlLogicTest;

internal static class Program
{
    private const string DefaultConnectionString = "Host=127.0.0.1;Port=5433;Username=streamsql;Database=streamsql";

    private const string Usage = """
        Usage: StreamSql.SqlLogicTest [options] <file.slt | directory>...

        Runs sqllogictest files against a server speaking the Postgres simple query protocol.
        Directories are searched recursively for *.slt files. Each file runs on its own connection.

        Options:
          -c, --connection <string>  Connection string (keys: Host, Port, Username, Database, Timeout).
                                     Default: Host=127.0.0.1;Port=5433;Username=streamsql;Database=streamsql
          -t, --timeout <seconds>    Per-query timeout (default 60).
          -e, --engine <name>        Engine name for skipif/onlyif (default streamsql).
          -h, --help                 Show this help.

        Records: 'statement ok', 'statement count <n>', 'statement error [regex]',
                 'query <types> [rowsort|valuesort|nosort]' + SQL + '----' + expected rows,
                 'query error [regex]', 'halt', 'skipif <engine>', 'onlyif <engine>',
                 'control sortmode <mode>'. Any statement/query header may end with
                 'retry <duration>' (e.g. 'retry 10s') to re-run until it passes or the time is up.

        Prints every failure, then a final line 'N passed, M failed' (record counts).
        Exit code: 0 all passed, 1 failures, 2 usage error.
        """;

    public static async Task<int> Main(string[] args)
    {
        var connectionString = DefaultConnectionString;
        var timeout = TimeSpan.FromSeconds(60);
        var engine = "streamsql";
        var inputs = new List<string>();

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h":
                case "--help":
                case "-?":
                    Console.WriteLine(Usage);
                    return 0;
                case "-c":
                case "--connection":
                    if (!TryValue(args, ref i, out connectionString))
                    {
                        return UsageError($"{arg} requires a value");
                    }
                    break;
                case "-t":
                case "--timeout":
                    if (!TryValue(args, ref i, out var t)
                        || !double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                        || seconds <= 0)
                    {
                        return UsageError($"{arg} requires a positive number of seconds");
                    }
                    timeout = TimeSpan.FromSeconds(seconds);
                    break;
                case "-e":
                case "--engine":
                    if (!TryValue(args, ref i, out engine))
                    {
                        return UsageError($"{arg} requires a value");
                    }
                    break;
                default:
                    if (arg.StartsWith('-') && arg.Length > 1)
                    {
                        return UsageError($"unknown option '{arg}'");
                    }
                    inputs.Add(arg);
                    break;
            }
        }

        if (inputs.Count == 0)
        {
            return UsageError("no .slt files or directories given");
        }

        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = Directory.GetFiles(input, "*.slt", SearchOption.AllDirectories);
                Array.Sort(found, StringComparer.Ordinal);
                files.AddRange(found);
            }
            else if (File.Exists(input))
            {
                files.Add(input);
            }
            else
            {
                return UsageError($"no such file or directory: {input}");
            }
        }

        SltRunner runner;
        try
        {
            runner = new SltRunner(connectionString) { QueryTimeout = timeout, EngineName = engine };
        }
        catch (ArgumentException ex)
        {
            return UsageError($"invalid connection string: {ex.Message}");
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        int passed = 0, failed = 0, skipped = 0;
        try
        {
            foreach (var file in files)
            {
                var result = await runner.RunFileWithSummaryAsync(file, cts.Token);
                passed += result.Passed;
                failed += result.Failed;
                skipped += result.Skipped;
                foreach (var failure in result.Failures)
                {
                    Console.WriteLine(failure);
                    Console.WriteLine();
                }
                var status = result.Failed == 0 ? "ok  " : "FAIL";
                Console.WriteLine(FormattableString.Invariant(
                    $"[{status}] {file}: {result.Passed} passed, {result.Failed} failed, {result.Skipped} skipped"));
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled");
            Console.WriteLine(FormattableString.Invariant($"{passed} passed, {failed} failed"));
            return 1;
        }

        if (skipped > 0)
        {
            Console.WriteLine(FormattableString.Invariant($"{skipped} skipped"));
        }
        Console.WriteLine(FormattableString.Invariant($"{passed} passed, {failed} failed"));
        return failed == 0 ? 0 : 1;
    }

    private static bool TryValue(string[] args, ref int i, out string value)
    {
        if (i + 1 < args.Length)
        {
            value = args[++i];
            return true;
        }
        value = string.Empty;
        return false;
    }

    private static int UsageError(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine("Run with --help for usage.");
        return 2;
    }
}
