using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Npgsql with a default connection string: it loads the server's types from pg_catalog when it connects.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class NpgsqlTypeLoadingTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task DefaultConnectionStringConnectsAndRunsAQueryWithParameters()
    {
        var s = Sql.Unique("typeload");
        await using (var setup = await _server.ConnectAsync())
        {
            await setup.ExecuteAsync($"CREATE STREAM {s} (id INT KEY, item VARCHAR, amount DOUBLE, ts TIMESTAMP) WITH (partitions=1)");
            await setup.ExecuteAsync($"INSERT INTO {s} (id, item, amount, ts) VALUES (1, 'apple', 0.5, '2026-01-01 10:00:00'), (2, 'pear', 1.5, '2026-01-02 10:00:00')");
        }

        // No Server Compatibility Mode: Npgsql runs its type-loading query on open.
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={_server.PgPort};Username=streamsql;Database=streamsql;Pooling=false;Timeout=30;Command Timeout=60");
        await connection.OpenAsync();

        await using var command = new NpgsqlCommand($"SELECT id, item, amount, ts FROM {s} WHERE amount > $1 AND item = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = 1.0 });
        command.Parameters.Add(new NpgsqlParameter { Value = "pear" });
        await using var reader = await command.ExecuteReaderAsync();

        Assert.True(await reader.ReadAsync());
        Assert.Equal(2, reader.GetInt32(0));
        Assert.Equal("pear", reader.GetString(1));
        Assert.Equal(1.5, reader.GetDouble(2));
        Assert.Equal(new DateTime(2026, 1, 2, 10, 0, 0), reader.GetDateTime(3));
        Assert.Equal(["int4", "varchar", "float8", "timestamp"], Enumerable.Range(0, 4).Select(reader.GetPostgresType).Select(t => t.InternalName));
        Assert.False(await reader.ReadAsync());
    }
}
