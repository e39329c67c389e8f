using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>The server as a separate process (the built streamsql.dll), for tests that kill it or measure its memory.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly string[] _extraArguments;
    private Process? _process;

    public ServerProcess(string dataDirectory, params string[] extraArguments)
    {
        DataDirectory = dataDirectory;
        _extraArguments = extraArguments;
    }

    public string DataDirectory { get; }

    public int PgPort { get; } = FreePort();

    public int KafkaPort { get; } = FreePort();

    public Process Process => _process ?? throw new InvalidOperationException("not started");

    /// <summary>Where the server's output of every start goes (kept after the data directory is deleted).</summary>
    public string LogPath => DataDirectory.TrimEnd('/') + ".log";

    private static void Append(string path, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (typeof(ServerProcess))
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    /// <summary>Starts the server and returns once it accepts connections (replay and recovery happen before the listener opens).</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "streamsql.dll"), "--data-dir", DataDirectory,
                     "--pg-port", PgPort.ToString(CultureInfo.InvariantCulture), "--kafka-port", KafkaPort.ToString(CultureInfo.InvariantCulture),
                     "--http-port", "0", "--log-level", "warning", .. _extraArguments])
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("server did not start");
        // The server's log goes to a file beside the data directory, for a failing test to point at.
        var log = LogPath;
        _process.OutputDataReceived += (_, e) => Append(log, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            try
            {
                await using var probe = await ConnectAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task<NpgsqlConnection> ConnectAsync(int commandTimeoutSeconds = 120)
    {
        var connection = new NpgsqlConnection(
            $"Host=127.0.0.1;Port={PgPort};Username=streamsql;Database=streamsql;Server Compatibility Mode=NoTypeLoading;Pooling=false;Timeout=30;Command Timeout={commandTimeoutSeconds}");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
    }

    /// <summary>The process's peak resident set size (VmHWM), in bytes.</summary>
    public long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmHWM in /proc status");
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
    }

    /// <summary>
    /// A free port below Linux's ephemeral range (32768 up): the server must bind the same port again after each restart,
    /// and a port from the ephemeral range may meanwhile be taken as the local end of some outgoing connection.
    /// </summary>
    private static int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
    }
}
