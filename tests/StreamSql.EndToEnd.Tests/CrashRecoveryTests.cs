namespace StreamSql.EndToEnd.Tests;

/// <summary>
/// kill -9 of the server process at random moments while rows stream through persistent queries (a filter, a windowed
/// aggregation, a GROUP BY on a non-key column of a 4-partition stream through a repartition, an aggregation over a
/// table): after each restart the queries restore their state, complete any interrupted batch and resume, and in the end
/// every output equals, record for record, what the same SQL computes over the input as a pull query.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const int Kills = 8;
    private readonly ServerProcess _server = new(Directory.CreateTempSubdirectory("streamsql-crash-").FullName);

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_server.DataDirectory, recursive: true);
    }

    [Fact]
    public async Task SigkilledServerLosesAndDuplicatesNoOutput()
    {
        await _server.StartAsync();
        await using (var setup = await _server.ConnectAsync())
        {
            await setup.ExecuteAsync("CREATE STREAM crash_src (id INT, v INT) WITH (partitions=2)");
            await setup.ExecuteAsync("CREATE STREAM crash_out AS SELECT id, v * 10 AS w FROM crash_src WHERE v % 3 <> 0");
            await setup.ExecuteAsync("CREATE STREAM crash_keyed (id INT KEY, v INT) WITH (partitions=4)");
            await setup.ExecuteAsync("CREATE TABLE crash_by_v AS SELECT v, count(*) AS n, sum(id) AS s FROM crash_keyed GROUP BY v");
            await setup.ExecuteAsync("CREATE TABLE crash_windows AS SELECT v, windowstart, count(*) AS n FROM crash_src WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY v");
            await setup.ExecuteAsync("CREATE TABLE crash_latest (v INT PRIMARY KEY, id INT) WITH (partitions=2)");
            await setup.ExecuteAsync("CREATE TABLE crash_latest_sum AS SELECT count(*) AS n, sum(id) AS s FROM crash_latest");
        }

        var nextId = 0;
        var random = new Random(20261125);
        for (var kill = 0; kill < Kills; kill++)
        {
            using var stopWriting = new CancellationTokenSource();
            var wroteOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writer = Task.Run(async () =>
            {
                await using var connection = await _server.ConnectAsync();
                while (!stopWriting.IsCancellationRequested)
                {
                    var first = Interlocked.Add(ref nextId, 50) - 50;
                    var values = string.Join(", ", Enumerable.Range(first, 50).Select(i => $"({i}, {i % 7})"));
                    await connection.ExecuteAsync($"INSERT INTO crash_src VALUES {values}");
                    await connection.ExecuteAsync($"INSERT INTO crash_keyed VALUES {values}");
                    await connection.ExecuteAsync($"INSERT INTO crash_latest VALUES {values}");
                    wroteOnce.TrySetResult();
                }
            });

            // Every round writes to every input at least once before the crash.
            await wroteOnce.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // The crash moment is chosen at random while rows are being written and processed.
            await Task.Delay(random.Next(400, 1200));
            await _server.KillAsync();
            stopWriting.Cancel();
            await Assert.ThrowsAnyAsync<Exception>(() => writer).ContinueWith(_ => { });
            await _server.StartAsync();
        }

        await using var check = await _server.ConnectAsync();
        await check.ExecuteAsync("FLUSH");

        // Whatever INSERTs became durable before each kill is the truth the output must match, record for record.
        var source = await check.RowsAsync("SELECT id, v FROM crash_src");
        var expected = source.Select(r => r.Split('|')).Where(r => int.Parse(r[1]) % 3 != 0).Select(r => $"{r[0]}|{int.Parse(r[1]) * 10}").Order().ToList();
        var output = (await check.RowsAsync("SELECT id, w FROM crash_out")).Order().ToList();

        Assert.True(source.Count > 100, $"only {source.Count} input rows were written");
        Assert.Equal(expected.Count, output.Count);
        Assert.Equal(expected, output);

        // Stateful outputs: the tables equal the same aggregations computed now over their inputs.
        Assert.Equal((await check.RowsAsync("SELECT v, count(*), sum(id) FROM crash_keyed GROUP BY v")).Order(),
            (await check.RowsAsync("SELECT v, n, s FROM crash_by_v")).Order());
        Assert.Equal((await check.RowsAsync("SELECT v, windowstart::text, count(*) FROM crash_src WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY v")).Order(),
            (await check.RowsAsync("SELECT v, windowstart::text, n FROM crash_windows")).Order());
        Assert.Equal(await check.RowsAsync("SELECT count(*), sum(id) FROM crash_latest"), await check.RowsAsync("SELECT n, s FROM crash_latest_sum"));
    }
}
