using System.Collections.Concurrent;
using System.Text;
using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Push queries shown live in psql and read through Npgsql: COPY (...) TO STDOUT and cursors (DECLARE/FETCH, FETCH_COUNT).</summary>
[Collection(SharedServerCollection.Name)]
public sealed class PsqlLiveQueryTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task CopyOfAPushQueryStreamsEachRowAsItIsInserted()
    {
        var s = Sql.Unique("copy_live");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT, msg VARCHAR) WITH (partitions=1)");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (1, 'first')");

        using var psql = Psql.Start(_server, unbuffered: true, "-v", "ON_ERROR_STOP=1", "-c", $"COPY (SELECT id, upper(msg) AS msg FROM {s} EMIT CHANGES LIMIT 3) TO STDOUT");
        psql.StandardInput.Close();
        var lines = new ConcurrentQueue<string>();
        psql.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        psql.BeginOutputReadLine();
        var error = psql.StandardError.ReadToEndAsync();

        // The first row reaches psql while the query still runs: rows are flushed as they come.
        await Wait.UntilAsync(() => lines.Contains("1\tFIRST"), "psql printed the first row");
        Assert.False(psql.HasExited);
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (2, NULL)");
        await Wait.UntilAsync(() => lines.Contains("2\t\\N"), "psql printed the second row");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (3, 'tab\there')");
        await psql.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(psql.ExitCode == 0, await error);
        Assert.Equal(["1\tFIRST", "2\t\\N", "3\tTAB\\tHERE"], lines.ToArray());
    }

    [Fact]
    public async Task CopyOfSubscribeShowsAViewsRowsThenEachChangeLive()
    {
        var s = Sql.Unique("sub_src");
        var v = Sql.Unique("sub_view");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (k VARCHAR KEY, n INT) WITH (partitions=1)");
        await connection.ExecuteAsync($"CREATE MATERIALIZED VIEW {v} AS SELECT k, sum(n) AS total FROM {s} GROUP BY k");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES ('a', 1)");
        await connection.ExecuteAsync("FLUSH");

        // psql lists the view with \dm.
        var (exit, listing, listError) = await Psql.RunAsync(_server, "", "-c", "\\dm");
        Assert.True(exit == 0, listError);
        Assert.Contains($" public | {v} | materialized view | streamsql", listing);

        using var psql = Psql.Start(_server, unbuffered: true, "-v", "ON_ERROR_STOP=1", "-c", $"COPY (SUBSCRIBE TO {v}) TO STDOUT");
        psql.StandardInput.Close();
        var lines = new ConcurrentQueue<string>();
        psql.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        psql.BeginOutputReadLine();

        // The view's current row first, then its changes as they happen.
        await Wait.UntilAsync(() => lines.Contains("a\t1\tinsert"), "psql printed the view's current row");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES ('a', 2), ('b', 5)");
        await Wait.UntilAsync(() => lines.Contains("a\t3\tupdate") && lines.Contains("b\t5\tinsert"), "psql printed the changes");
        Assert.False(psql.HasExited);
        psql.Kill();
    }

    [Fact]
    public async Task CopyOfAPullQueryUsesTextAndCsvFormats()
    {
        var s = Sql.Unique("copy_pull");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT, msg VARCHAR) WITH (partitions=1)");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (1, 'a\\b'), (2, NULL), (3, 'x,\"y'), (4, '')");

        var (exit, output, error) = await Psql.RunAsync(_server, "", "-v", "ON_ERROR_STOP=1",
            "-c", $"COPY (SELECT id, msg FROM {s} ORDER BY id) TO STDOUT",
            "-c", $"COPY (SELECT id, msg FROM {s} ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)");

        Assert.True(exit == 0, error);
        Assert.Equal("1\ta\\\\b\n2\t\\N\n3\tx,\"y\n4\t\nid,msg\n1,a\\b\n2,\n3,\"x,\"\"y\"\n4,\"\"\n", output);
    }

    [Fact]
    public async Task NpgsqlTextExportReadsAPushQueryRowByRow()
    {
        var s = Sql.Unique("copy_npgsql");
        await using var connection = await _server.ConnectAsync();
        await using var writer = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT, msg VARCHAR) WITH (partitions=1)");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (1, 'one')");

        using var export = await connection.BeginTextExportAsync($"COPY (SELECT id, msg FROM {s} EMIT CHANGES LIMIT 2) TO STDOUT");
        Assert.Equal("1\tone", await export.ReadLineAsync());
        await writer.ExecuteAsync($"INSERT INTO {s} VALUES (2, 'two')");
        Assert.Equal("2\ttwo", await export.ReadLineAsync());
        Assert.Null(await export.ReadLineAsync());
    }

    [Fact]
    public async Task PsqlFetchCountReadsAPushQueryThroughACursor()
    {
        var s = Sql.Unique("fetch_count");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT) WITH (partitions=1)");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (1), (2)");

        using var psql = Psql.Start(_server, "-v", "ON_ERROR_STOP=1", "-v", "FETCH_COUNT=2", "-c", $"SELECT id * 10 AS x FROM {s} EMIT CHANGES LIMIT 3");
        psql.StandardInput.Close();
        var output = psql.StandardOutput.ReadToEndAsync();
        var error = psql.StandardError.ReadToEndAsync();

        // The query waits in FETCH for its third row; it comes now.
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (3)");
        await psql.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(psql.ExitCode == 0, await error);
        Assert.Equal(" x  \n----\n 10\n 20\n 30\n(3 rows)\n\n", await output);
    }

    [Fact]
    public async Task CursorStatementsFollowPostgres()
    {
        var s = Sql.Unique("cursor");
        var (exit, output, error) = await Psql.RunAsync(_server, $"""
            CREATE STREAM {s} (id INT) WITH (partitions=1);
            INSERT INTO {s} VALUES (1), (2), (3);
            DECLARE c CURSOR FOR SELECT id FROM {s};
            BEGIN;
            DECLARE c NO SCROLL CURSOR WITHOUT HOLD FOR SELECT id FROM {s} ORDER BY id;
            FETCH FORWARD 2 FROM c;
            FETCH 5 FROM c;
            FETCH ALL FROM c;
            CLOSE c;
            FETCH 1 FROM c;
            ROLLBACK;
            BEGIN;
            DECLARE d CURSOR FOR SELECT id FROM {s} ORDER BY id;
            COMMIT;
            FETCH d;
            """, "-v", "ON_ERROR_STOP=0");

        Assert.Equal(0, exit);
        Assert.Contains("ERROR:  DECLARE CURSOR can only be used in transaction blocks", error);
        Assert.Contains("DECLARE CURSOR\n id \n----\n  1\n  2\n(2 rows)\n\n id \n----\n  3\n(1 row)\n\n id \n----\n(0 rows)\n\nCLOSE CURSOR\n", output);
        Assert.Contains("ERROR:  cursor \"c\" does not exist", error);
        Assert.Contains("ERROR:  cursor \"d\" does not exist", error);
    }

    [Fact]
    public async Task NpgsqlFetchesFromACursorWithTheExtendedProtocol()
    {
        var s = Sql.Unique("cursor_npgsql");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT) WITH (partitions=1)");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (1), (2), (3)");
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync($"DECLARE c CURSOR FOR SELECT id FROM {s} EMIT CHANGES LIMIT 3");

        Assert.Equal(["1", "2"], await connection.RowsAsync("FETCH 2 FROM c"));
        Assert.Equal(["3"], await connection.RowsAsync("FETCH 2 FROM c"));
        await connection.ExecuteAsync("CLOSE c");
        await transaction.CommitAsync();
    }

    [Fact]
    public async Task CopyThroughTheExtendedProtocolIsDescribedAsNoDataAndSendsCopyMessages()
    {
        var s = Sql.Unique("copy_extended");
        await using (var connection = await _server.ConnectAsync())
        {
            await connection.ExecuteAsync($"CREATE STREAM {s} (id INT) WITH (partitions=1)");
            await connection.ExecuteAsync($"INSERT INTO {s} VALUES (7)");
        }

        await using var client = await RawPgClient.StartAsync(_server);
        await client.SendAsync([
            .. RawPgClient.Message('P', [.. Encoding.UTF8.GetBytes($"\0COPY (SELECT id FROM {s} EMIT CHANGES LIMIT 1) TO STDOUT\0"), 0, 0]),
            .. RawPgClient.Message('B', [0, 0, 0, 0, 0, 0, 0, 0]),
            .. RawPgClient.Message('D', [(byte)'P', 0]),
            .. RawPgClient.Message('E', [0, 0, 0, 0, 0]),
            .. RawPgClient.Message('S', []),
        ]);

        var messages = await client.ReadUntilReadyAsync();

        Assert.Equal("12nHdcCZ", new string([.. messages.Select(m => m.Type)]));
        Assert.Equal("7\n", Encoding.UTF8.GetString(messages[4].Body));
        Assert.Equal("COPY 1\0", Encoding.UTF8.GetString(messages[6].Body));
    }
}
