using System.Diagnostics;
using System.Text;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>Runs the real kcat binary, capturing its output as it comes; long-running consumers are stopped with SIGTERM so they leave their group.</summary>
internal sealed class KcatProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private KcatProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output => Read(_output);

    public string Error => Read(_error);

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static KcatProcess Start(IEnumerable<string> args, bool redirectInput = false)
    {
        var start = new ProcessStartInfo("kcat")
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new KcatProcess(Process.Start(start) ?? throw new InvalidOperationException("kcat did not start (apt-get install -y kcat)"));
    }

    /// <summary>Runs kcat to completion, feeding input to its stdin; fails the test if it takes longer than timeout.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> args, string? input, TimeSpan timeout)
    {
        using var kcat = Start(args, redirectInput: input is not null);
        if (input is not null)
        {
            await kcat._process.StandardInput.WriteAsync(input);
            kcat._process.StandardInput.Close();
        }

        await kcat.WaitForExitAsync(timeout);
        return (kcat._process.ExitCode, kcat.Output, kcat.Error);
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"kcat did not finish within {timeout.TotalSeconds:0}s; stderr: {Error}");
        }

        // The asynchronous readers may still be delivering the last lines; WaitForExit() without a timeout drains them.
        _process.WaitForExit();
    }

    /// <summary>Asks kcat to stop as Ctrl-C would: a consumer closes cleanly and leaves its group.</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    private static string Read(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }
}
