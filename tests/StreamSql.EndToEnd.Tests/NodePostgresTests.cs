using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace StreamSql.EndToEnd.Tests;

/// <summary>node-postgres (npm pg, installed in tests/node by `npm ci`) runs tests/node/streamsql.js against the server.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class NodePostgresTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task NodePostgresRunsParametersPushQueriesAndErrors()
    {
        var stream = Sql.Unique("node");
        var (exit, output, error) = await RunNodeAsync("streamsql.js", stream);
        Assert.True(exit == 0, $"node failed ({exit}):\n{error}\n{output}");

        var seen = JsonDocument.Parse(output).RootElement;
        Assert.Equal("CREATE", seen.GetProperty("create").GetString());
        Assert.Equal(4, seen.GetProperty("inserted").GetInt32());
        var byId = seen.GetProperty("byId");
        Assert.Equal(("1", "ada", 9.5, true, 7, "2026-01-02T03:04:05.678Z"),
            (byId.GetProperty("id").GetString(), byId.GetProperty("name").GetString(), byId.GetProperty("score").GetDouble(),
             byId.GetProperty("active").GetBoolean(), byId.GetProperty("n").GetInt32(), byId.GetProperty("at").GetString()));
        Assert.Equal([20, 1043, 701, 16, 23, 1114], seen.GetProperty("types").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal(["ada", "ünï"], seen.GetProperty("filtered").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["1:ADA", "2:O'BRIEN", "3:ZED", "4:ÜNÏ"], seen.GetProperty("push").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["zed"], seen.GetProperty("inBlock").EnumerateArray().Select(t => t.GetString()));
        var failure = seen.GetProperty("error");
        Assert.Equal(("42P01", "relation \"no_such_stream_node\" does not exist", "15"),
            (failure.GetProperty("code").GetString(), failure.GetProperty("message").GetString(), failure.GetProperty("position").GetString()));
        Assert.Equal("node-test", seen.GetProperty("afterError").GetString());
    }

    private Task<(int ExitCode, string Output, string Error)> RunNodeAsync(string script, params string[] args) => RunAsync(_server, script, args);

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>Installs node-postgres from the committed lock file the first time (.ci/run does it too), so `dotnet test` alone works.</summary>
    private static async Task EnsureInstalledAsync(string folder)
    {
        await InstallGate.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(folder, "node_modules", "pg")))
            {
                return;
            }

            var start = new ProcessStartInfo("npm") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            {
                start.ArgumentList.Add(arg);
            }

            using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
            var error = npm.StandardError.ReadToEndAsync();
            await npm.StandardOutput.ReadToEndAsync();
            await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            Assert.True(npm.ExitCode == 0, "npm ci in tests/node failed: " + await error);
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Runs a script of tests/node against server; its port is in STREAMSQL_PG_PORT.</summary>
    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(TestServer server, string script, params string[] args)
    {
        var folder = Path.Combine(SqlLogicTests.RepositoryRoot(), "tests", "node");
        await EnsureInstalledAsync(folder);
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["STREAMSQL_PG_PORT"] = server.PgPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["TZ"] = "UTC";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }
}
