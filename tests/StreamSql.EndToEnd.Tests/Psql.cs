using System.Diagnostics;
using System.Globalization;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Runs the real psql binary against a test server.</summary>
internal static class Psql
{
    /// <summary>Starts psql with stdin, stdout and stderr redirected; the caller writes input and reads output.</summary>
    public static Process Start(TestServer server, params string[] extra) => Start(server, unbuffered: false, extra);

    /// <summary>Starts psql; unbuffered runs it under stdbuf -o0, so what psql writes (COPY rows) reaches the pipe at once.</summary>
    public static Process Start(TestServer server, bool unbuffered, params string[] extra)
    {
        var start = new ProcessStartInfo(unbuffered ? "stdbuf" : "psql")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])[.. unbuffered ? ["-o0", "psql"] : Array.Empty<string>(), "-X", "-h", "127.0.0.1", "-p", server.PgPort.ToString(CultureInfo.InvariantCulture), "-U", "streamsql", .. extra, "streamsql"])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PGCONNECT_TIMEOUT"] = "10";
        return Process.Start(start) ?? throw new InvalidOperationException("psql did not start");
    }

    /// <summary>Runs psql on the given input to the end; fails after a minute.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(TestServer server, string input, params string[] extra)
    {
        using var process = Start(server, extra);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }
}
