using System.Globalization;
using Npgsql;
using StreamSql.Server.Pg;

namespace StreamSql.EndToEnd.Tests;

/// <summary>--auth password and scram with users from flags and CREATE USER: right passwords get in, anything else gets 28P01 only.</summary>
public sealed class AuthenticationTests
{
    private static Task<TestServer> StartAsync(PgAuthMethod method) =>
        TestServer.StartAsync(configure: o => o with { Auth = method, Users = [("alice", "wonder land"), ("bob", "p@ss:wörd")] });

    private static async Task<NpgsqlConnection> ConnectAsync(TestServer server, string user, string? password)
    {
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = user, Password = password };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    [Theory]
    [InlineData(PgAuthMethod.Password)]
    [InlineData(PgAuthMethod.Scram)]
    public async Task RightPasswordsGetInAndWrongOnesGet28P01(PgAuthMethod method)
    {
        await using var server = await StartAsync(method);

        await using (var alice = await ConnectAsync(server, "alice", "wonder land"))
        {
            Assert.Equal(["1"], await alice.RowsAsync("SHOW extra_float_digits"));
        }

        await using (var bob = await ConnectAsync(server, "bob", "p@ss:wörd"))
        {
            Assert.Equal(["1"], await bob.RowsAsync("SHOW extra_float_digits"));
        }

        foreach (var (user, password) in new[] { ("alice", "wonderland"), ("nobody", "wonder land"), ("bob", "wonder land") })
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => ConnectAsync(server, user, password));
            Assert.Equal(("28P01", $"password authentication failed for user \"{user}\""), (error.SqlState, error.MessageText));
        }

        Assert.NotEmpty(CapturedLog.Warnings("password authentication failed for user \"nobody\""));
    }

    [Fact]
    public async Task CreateUserMakesALoginThatSurvivesARestart()
    {
        await using var server = await StartAsync(PgAuthMethod.Scram);
        await using (var alice = await ConnectAsync(server, "alice", "wonder land"))
        {
            await alice.ExecuteAsync("CREATE USER carol WITH PASSWORD 'it''s me'");
            var duplicate = await Assert.ThrowsAsync<PostgresException>(() => alice.ExecuteAsync("CREATE USER carol PASSWORD 'x'"));
            Assert.Equal(("42710", "role \"carol\" already exists"), (duplicate.SqlState, duplicate.MessageText));
        }

        await server.RestartAsync();

        await using var carol = await ConnectAsync(server, "carol", "it's me");
        Assert.Equal(["1"], await carol.RowsAsync("SHOW extra_float_digits"));
        Assert.Equal("28P01", (await Assert.ThrowsAsync<PostgresException>(() => ConnectAsync(server, "carol", "it''s me"))).SqlState);
        Assert.DoesNotContain("it's me", await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "users.json")));
    }

    [Fact]
    public async Task PsqlLogsInWithScram()
    {
        await using var server = await StartAsync(PgAuthMethod.Scram);

        var (exit, output, error) = await RunPsqlAsync(server, "alice", "wonder land", "SHOW 'auto.offset.reset'");
        Assert.True(exit == 0, error);
        Assert.Contains("earliest", output);

        (exit, _, error) = await RunPsqlAsync(server, "alice", "wrong", "SHOW 'auto.offset.reset'");
        Assert.Equal(2, exit);
        Assert.Contains("password authentication failed for user \"alice\"", error);
    }

    internal static async Task<(int ExitCode, string Output, string Error)> RunPsqlAsync(TestServer server, string user, string password, string command, string sslMode = "disable")
    {
        var start = new System.Diagnostics.ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in (string[])["-X", "-w", "-c", command, $"host=127.0.0.1 port={server.PgPort.ToString(CultureInfo.InvariantCulture)} user={user} dbname=streamsql sslmode={sslMode}"])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PGPASSWORD"] = password;
        start.Environment["PGCONNECT_TIMEOUT"] = "10";
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }
}
