using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Many clients at once: 500 connections each running a query, 50 push queries on one stream each seeing every record.</summary>
public sealed class ConcurrencyTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task FiveHundredConnectionsEachRunAQuery()
    {
        const int clients = 500;
        var s = Sql.Unique("many");
        await using (var setup = await _server.ConnectAsync())
        {
            await setup.ExecuteAsync($"CREATE STREAM {s} (id INT, v VARCHAR) WITH (partitions=1)");
            await setup.ExecuteAsync($"INSERT INTO {s} VALUES " + string.Join(", ", Enumerable.Range(0, clients).Select(i => $"({i}, 'v{i}')")));
        }

        // All connections are open at the same time before any of them queries.
        var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => _server.ConnectAsync())).WaitAsync(TimeSpan.FromSeconds(120));
        try
        {
            var answers = await Task.WhenAll(connections.Select(async (connection, i) =>
            {
                await using var command = new NpgsqlCommand($"SELECT v FROM {s} WHERE id = $1", connection);
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = i });
                return (string?)await command.ExecuteScalarAsync();
            })).WaitAsync(TimeSpan.FromSeconds(120));

            Assert.Equal(Enumerable.Range(0, clients).Select(i => "v" + i), answers);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task FiftyPushQueriesOnOneStreamEachSeeEveryRecord()
    {
        const int queries = 50;
        const int records = 300;
        var s = Sql.Unique("fanout");
        await using var writer = await _server.ConnectAsync();
        await writer.ExecuteAsync($"CREATE STREAM {s} (id INT KEY, v VARCHAR) WITH (partitions=4)");
        await writer.ExecuteAsync($"INSERT INTO {s} VALUES (-1, 'first')");

        var connections = await Task.WhenAll(Enumerable.Range(0, queries).Select(_ => _server.ConnectAsync()));
        var readers = connections.Select(async connection =>
        {
            await using var command = new NpgsqlCommand($"SELECT id FROM {s} EMIT CHANGES LIMIT {records + 1}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var seen = new List<int>();
            while (await reader.ReadAsync())
            {
                seen.Add(reader.GetInt32(0));
            }

            return seen;
        }).ToList();

        // Every push query is live before the records are written: they arrive while the queries run.
        await Wait.UntilAsync(() => _server.Server.Engine.RunningTransientQueries >= queries, $"{queries} push queries run");
        for (var batch = 0; batch < records; batch += 50)
        {
            await writer.ExecuteAsync($"INSERT INTO {s} VALUES " + string.Join(", ", Enumerable.Range(batch, 50).Select(i => $"({i}, 'r{i}')")));
        }

        var results = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(120));
        foreach (var seen in results)
        {
            Assert.Equal(Enumerable.Range(-1, records + 1), seen.Order());
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }
}
