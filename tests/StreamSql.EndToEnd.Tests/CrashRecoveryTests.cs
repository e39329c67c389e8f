using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// kill -9 of the server process at random moments while rows stream through a persistent query: after each restart the
/// query completes any interrupted batch and resumes, and in the end its output holds every qualifying input row exactly once.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const int Kills = 8;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("streamsql-crash-").FullName;
    private readonly int _port = FreePort();
    private Process? _server;

    public void Dispose()
    {
        StopServer();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task SigkilledServerLosesAndDuplicatesNoOutput()
    {
        await StartServerAsync();
        await using (var setup = await ConnectAsync())
        {
            await setup.ExecuteAsync("CREATE STREAM crash_src (id INT, v INT) WITH (partitions=2)");
            await setup.ExecuteAsync("CREATE STREAM crash_out AS SELECT id, v * 10 AS w FROM crash_src WHERE v % 3 <> 0");
        }

        var nextId = 0;
        var random = new Random(20261125);
        for (var kill = 0; kill < Kills; kill++)
        {
            using var stopWriting = new CancellationTokenSource();
            var writer = Task.Run(async () =>
            {
                await using var connection = await ConnectAsync();
                while (!stopWriting.IsCancellationRequested)
                {
                    var first = Interlocked.Add(ref nextId, 50) - 50;
                    var values = string.Join(", ", Enumerable.Range(first, 50).Select(i => $"({i}, {i % 7})"));
                    await connection.ExecuteAsync($"INSERT INTO crash_src VALUES {values}");
                }
            });

            // The crash moment is chosen at random while rows are being written and processed.
            await Task.Delay(random.Next(400, 1200));
            _server!.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
            stopWriting.Cancel();
            await Assert.ThrowsAnyAsync<Exception>(() => writer).ContinueWith(_ => { });
            await StartServerAsync();
        }

        await using var check = await ConnectAsync();
        await check.ExecuteAsync("FLUSH");

        // Whatever INSERTs became durable before each kill is the truth the output must match, record for record.
        var source = await check.RowsAsync("SELECT id, v FROM crash_src");
        var expected = source.Select(r => r.Split('|')).Where(r => int.Parse(r[1]) % 3 != 0).Select(r => $"{r[0]}|{int.Parse(r[1]) * 10}").Order().ToList();
        var output = (await check.RowsAsync("SELECT id, w FROM crash_out")).Order().ToList();

        Assert.True(source.Count > 100, $"only {source.Count} input rows were written");
        Assert.Equal(expected.Count, output.Count);
        Assert.Equal(expected, output);
    }

    private async Task<NpgsqlConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={_port};Username=streamsql;Database=streamsql;Server Compatibility Mode=NoTypeLoading;Pooling=false;Timeout=30;Command Timeout=120");
        await connection.OpenAsync();
        return connection;
    }

    private async Task StartServerAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "streamsql.dll"), "--data-dir", _dataDirectory, "--pg-port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--kafka-port", "0", "--http-port", "0", "--log-level", "warning"])
        {
            start.ArgumentList.Add(arg);
        }

        _server = Process.Start(start) ?? throw new InvalidOperationException("server did not start");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        // Ready when it accepts a connection (replay and recovery happen before the listener opens).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await using var probe = await ConnectAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    private void StopServer()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
