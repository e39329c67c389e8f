using Npgsql;

namespace StreamSql.EndToEnd.Tests;

[Collection(SharedServerCollection.Name)]
public sealed class NpgsqlTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task CreateInsertAndPushQueryWithLimit()
    {
        var orders = Sql.Unique("orders");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {orders} (id INT KEY, item VARCHAR, amount DOUBLE) WITH (kafka_topic='{orders}', value_format='JSON', partitions=2)");

        var inserted = await connection.ExecuteAsync($"INSERT INTO {orders} (id, item, amount) VALUES (1, 'apple', 0.5), (2, 'pear', 1.5), (3, 'fig', 2.5)");
        var rows = await connection.RowsAsync($"SELECT id, item, amount * 2 AS double_amount FROM {orders} WHERE amount > 1 EMIT CHANGES LIMIT 2");

        Assert.Equal(3, inserted);
        Assert.Equal(["2|pear|3", "3|fig|5"], rows.Order());
    }

    [Fact]
    public async Task ColumnsHavePostgresTypes()
    {
        var s = Sql.Unique("typed");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (k BIGINT KEY, b BOOLEAN, i INT, d DOUBLE, v VARCHAR, t TIMESTAMP) WITH (partitions=1)");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES (9000000000, true, -5, 0.25, 'héllo', '2026-01-01 10:00:00.123')");

        await using var command = new NpgsqlCommand($"SELECT * FROM {s}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(["int8", "bool", "int4", "float8", "varchar", "timestamp"], Enumerable.Range(0, 6).Select(reader.GetPostgresType).Select(t => t.InternalName));
        Assert.Equal(9000000000L, reader.GetInt64(0));
        Assert.True(reader.GetBoolean(1));
        Assert.Equal(-5, reader.GetInt32(2));
        Assert.Equal(0.25, reader.GetDouble(3));
        Assert.Equal("héllo", reader.GetString(4));
        Assert.Equal(new DateTime(2026, 1, 1, 10, 0, 0, 123), reader.GetDateTime(5));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task PushQueryDeliversRowsAsTheyArriveAndStopsOnCancel()
    {
        var s = Sql.Unique("live");
        await using var writer = await _server.ConnectAsync();
        await writer.ExecuteAsync($"CREATE STREAM {s} (id INT, msg VARCHAR) WITH (partitions=3)");
        await writer.ExecuteAsync($"INSERT INTO {s} VALUES (1, 'before')");

        await using var reader = await _server.ConnectAsync();
        using var cancel = new CancellationTokenSource();
        await using var command = new NpgsqlCommand($"SELECT id, upper(msg) AS msg FROM {s} EMIT CHANGES", reader);

        // Npgsql's ExecuteReader returns once the first row is there: the row already in the topic.
        await using var rows = await command.ExecuteReaderAsync(cancel.Token).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await rows.ReadAsync(cancel.Token));
        Assert.Equal((1, "BEFORE"), (rows.GetInt32(0), rows.GetString(1)));

        // This row is written while the push query runs, and must reach the client without the query ending.
        await writer.ExecuteAsync($"INSERT INTO {s} VALUES (2, 'after')");
        Assert.True(await rows.ReadAsync(cancel.Token).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal((2, "AFTER"), (rows.GetInt32(0), rows.GetString(1)));

        cancel.Cancel();
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await rows.ReadAsync(cancel.Token));
        Assert.True(error is OperationCanceledException || (error.InnerException is PostgresException { SqlState: "57014" }), error.ToString());
    }

    [Fact]
    public async Task ErrorsCarrySqlStateAndPositionAndTheConnectionStaysUsable()
    {
        await using var connection = await _server.ConnectAsync();

        var syntax = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("SELECT id FROM WHERE"));
        Assert.Equal(("42601", 16), (syntax.SqlState, syntax.Position));
        var missing = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("SELECT id FROM no_such_stream"));
        Assert.Equal(("42P01", "relation \"no_such_stream\" does not exist", 16), (missing.SqlState, missing.MessageText, missing.Position));
        var unsupported = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("CREATE VIEW t AS SELECT 1 AS id"));
        Assert.Equal("0A000", unsupported.SqlState);

        Assert.Equal(["earliest"], await connection.RowsAsync("SHOW 'auto.offset.reset'"));
    }

    [Fact]
    public async Task BadRecordsAreSkippedAndCounted()
    {
        var s = Sql.Unique("raw");
        var sink = Sql.Unique("clean");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT, v DOUBLE) WITH (partitions=1)");
        var topic = _server.Server.Engine.Topics.Find(s)!;
        await topic.AppendAsync(0,
        [
            new(null, "{\"id\":1,\"v\":1.5}"u8.ToArray(), 0),
            new(null, "{not json"u8.ToArray(), 0),
            new(null, "{\"id\":2,\"v\":\"NaN-ish\"}"u8.ToArray(), 0),
            new(null, "{\"id\":3,\"v\":3}"u8.ToArray(), 0),
        ]);

        await connection.ExecuteAsync($"CREATE STREAM {sink} AS SELECT id, v FROM {s}");
        await connection.ExecuteAsync("FLUSH");

        Assert.Equal(["1|1.5", "3|3"], (await connection.RowsAsync($"SELECT * FROM {sink}")).Order());
        Assert.Contains("(bad records)|2|", await connection.RowsAsync($"DESCRIBE EXTENDED {sink}"));
    }
}
