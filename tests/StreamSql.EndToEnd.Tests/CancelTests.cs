using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Stopping push queries: Ctrl-C in psql (CancelRequest, 57014, the session goes on) and clients that just go away.</summary>
public sealed class CancelTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    // A server of its own, so the count of running client queries belongs to these tests alone.
    private readonly TestServer _server = fixture.Server;

    private int Running => _server.Server.Engine.RunningTransientQueries;

    private async Task<string> StreamAsync()
    {
        var s = Sql.Unique("cancel");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT, v VARCHAR) WITH (partitions=3)");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (1, 'one')");
        return s;
    }

    [Fact]
    public async Task CtrlCInPsqlCancelsThePushQueryAndTheSessionGoesOn()
    {
        var s = await StreamAsync();
        await Wait.UntilAsync(() => Running == 0, "no query runs");

        // psql handles Ctrl-C as a user at a terminal would only when it runs on a terminal: `script` gives it one,
        // and the ^C typed into it becomes SIGINT from the terminal's line discipline, as in a real session.
        var start = new ProcessStartInfo("script") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-qfec", $"psql -X -P pager=off -v VERBOSITY=verbose -h 127.0.0.1 -p {_server.PgPort.ToString(CultureInfo.InvariantCulture)} -U streamsql streamsql", "/dev/null"])
        {
            start.ArgumentList.Add(arg);
        }

        using var terminal = Process.Start(start) ?? throw new InvalidOperationException("script did not start");
        var output = terminal.StandardOutput.ReadToEndAsync();
        await terminal.StandardInput.WriteAsync($"SELECT * FROM {s} EMIT CHANGES;\n");
        await terminal.StandardInput.FlushAsync();
        await Wait.UntilAsync(() => Running == 1, "psql's push query runs");

        await terminal.StandardInput.WriteAsync("\x03");
        await terminal.StandardInput.FlushAsync();
        await Wait.UntilAsync(() => Running == 0, "the cancelled query's partition tasks end");
        await terminal.StandardInput.WriteAsync("SHOW 'auto.offset.reset';\n\\q\n");
        await terminal.StandardInput.FlushAsync();
        await terminal.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var text = await output;
        Assert.Contains("ERROR:  57014: canceling statement due to user request", text);
        Assert.Contains(" earliest", text[text.IndexOf("57014", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task CtrlCInPsqlCancelsACopyOfAPushQuery()
    {
        var s = await StreamAsync();
        await Wait.UntilAsync(() => Running == 0, "no query runs");
        var start = new ProcessStartInfo("script") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-qfec", $"psql -X -P pager=off -h 127.0.0.1 -p {_server.PgPort.ToString(CultureInfo.InvariantCulture)} -U streamsql streamsql", "/dev/null"])
        {
            start.ArgumentList.Add(arg);
        }

        using var terminal = Process.Start(start) ?? throw new InvalidOperationException("script did not start");
        var output = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await terminal.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (output)
                {
                    output.Append(buffer, 0, read);
                }
            }
        });
        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        await terminal.StandardInput.WriteAsync($"COPY (SELECT id, upper(v) AS v FROM {s} EMIT CHANGES) TO STDOUT;\n");
        await terminal.StandardInput.FlushAsync();
        await Wait.UntilAsync(() => Running == 1 && Text().Contains("1\tONE", StringComparison.Ordinal), "psql shows the first row while the COPY runs");

        await terminal.StandardInput.WriteAsync("\x03");
        await terminal.StandardInput.FlushAsync();
        await Wait.UntilAsync(() => Running == 0, "the cancelled query's partition tasks end");
        await terminal.StandardInput.WriteAsync("SELECT 40 + 2 AS answer;\n\\q\n");
        await terminal.StandardInput.FlushAsync();
        await terminal.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await reading;

        var text = Text();
        Assert.Contains("canceling statement due to user request", text);
        Assert.Contains("42", text[text.IndexOf("canceling", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task ClosingACursorOrItsConnectionStopsItsPushQuery()
    {
        var s = await StreamAsync();
        await Wait.UntilAsync(() => Running == 0, "no query runs");
        await using (var connection = await _server.ConnectAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync($"DECLARE c CURSOR FOR SELECT id FROM {s} EMIT CHANGES");
            Assert.Equal(["1"], await connection.RowsAsync("FETCH 1 FROM c"));
            Assert.Equal(1, Running);
            await connection.ExecuteAsync("CLOSE c");
            await Wait.UntilAsync(() => Running == 0, "CLOSE stops the cursor's query");

            await connection.ExecuteAsync($"DECLARE d CURSOR FOR SELECT id FROM {s} EMIT CHANGES");
            Assert.Equal(["1"], await connection.RowsAsync("FETCH 1 FROM d"));
            Assert.Equal(1, Running);
        }

        await Wait.UntilAsync(() => Running == 0, "closing the connection stops the cursor's query");
    }

    [Fact]
    public async Task ClosingTheConnectionStopsAPushQueryThatWaitsForRows()
    {
        var s = await StreamAsync();
        await Wait.UntilAsync(() => Running == 0, "no query runs");
        var client = await RawPgClient.StartAsync(_server);
        await client.SendAsync(RawPgClient.Query($"SELECT * FROM {s} EMIT CHANGES"));

        // The row already there arrives; then the query waits for more, and the client vanishes.
        Assert.Equal('T', (await client.ReadMessageAsync())!.Value.Type);
        Assert.Equal('D', (await client.ReadMessageAsync())!.Value.Type);
        Assert.Equal(1, Running);
        client.Abort();

        await Wait.UntilAsync(() => Running == 0, "the abandoned query's partition tasks end");
        await using var connection = await _server.ConnectAsync();
        Assert.Equal(["1|one"], await connection.RowsAsync($"SELECT * FROM {s}"));
    }

    [Fact]
    public async Task ClosingTheConnectionStopsAnExtendedProtocolPushQuery()
    {
        var s = await StreamAsync();
        await Wait.UntilAsync(() => Running == 0, "no query runs");
        var client = await RawPgClient.StartAsync(_server);
        await client.SendAsync([
            .. RawPgClient.Message('P', [.. Encoding.UTF8.GetBytes($"\0SELECT v FROM {s} WHERE id > $1 EMIT CHANGES\0"), 0, 1, 0, 0, 0, 23]),
            .. RawPgClient.Message('B', [0, 0, 0, 0, 0, 1, 0, 0, 0, 1, (byte)'0', 0, 0]),
            .. RawPgClient.Message('E', [0, 0, 0, 0, 0]),
            .. RawPgClient.Message('S', []),
        ]);

        var types = new List<char>();
        for (var i = 0; i < 3; i++)
        {
            types.Add((await client.ReadMessageAsync())!.Value.Type);
        }

        Assert.Equal("12D", new string([.. types]));
        Assert.Equal(1, Running);
        client.Abort();

        await Wait.UntilAsync(() => Running == 0, "the abandoned query's partition tasks end");
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
