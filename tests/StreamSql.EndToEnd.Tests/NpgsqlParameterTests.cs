using Npgsql;
using NpgsqlTypes;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Npgsql's extended protocol: parameters of every type (binary), prepared statements, described parameter types, binary results.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class NpgsqlParameterTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    private static readonly DateTime Noon = new(2026, 3, 1, 12, 30, 15, 250);

    private async Task<(NpgsqlConnection Connection, string Stream)> StreamOfEveryTypeAsync()
    {
        var s = Sql.Unique("params");
        var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (k BIGINT KEY, b BOOLEAN, i INT, d DOUBLE, v VARCHAR, t TIMESTAMP) WITH (partitions=2)");
        return (connection, s);
    }

    private static async Task<int> InsertAsync(NpgsqlConnection connection, string stream, params object[] values)
    {
        await using var insert = new NpgsqlCommand($"INSERT INTO {stream} (k, b, i, d, v, t) VALUES ($1, $2, $3, $4, $5, $6)", connection);
        foreach (var value in values)
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await insert.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task ParametersOfEveryTypeRoundTrip()
    {
        var (connection, s) = await StreamOfEveryTypeAsync();
        await using var _ = connection;

        Assert.Equal(1, await InsertAsync(connection, s, 9_000_000_000L, true, -42, 0.1, "héllo ' \"wörld\"", Noon));
        Assert.Equal(1, await InsertAsync(connection, s, 2L, false, int.MinValue, double.NegativeInfinity, "", new DateTime(1969, 7, 20, 20, 17, 40)));
        Assert.Equal(1, await InsertAsync(connection, s, 3L, DBNull.Value, DBNull.Value, DBNull.Value, DBNull.Value, DBNull.Value));

        await using var select = new NpgsqlCommand($"SELECT k, b, i, d, v, t FROM {s} WHERE k = $1", connection);
        select.Parameters.Add(new NpgsqlParameter { Value = 9_000_000_000L });
        await using (var reader = await select.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal((9_000_000_000L, true, -42, 0.1, "héllo ' \"wörld\"", Noon),
                (reader.GetInt64(0), reader.GetBoolean(1), reader.GetInt32(2), reader.GetDouble(3), reader.GetString(4), reader.GetDateTime(5)));
            Assert.False(await reader.ReadAsync());
        }

        select.Parameters[0].Value = 2L;
        Assert.Equal(["2|False|-2147483648|-Infinity||07/20/1969 20:17:40"], await RowsAsync(select));
        select.Parameters[0].Value = 3L;
        Assert.Equal(["3|NULL|NULL|NULL|NULL|NULL"], await RowsAsync(select));
    }

    [Fact]
    public async Task EveryColumnCanBeFilteredByAParameter()
    {
        var (connection, s) = await StreamOfEveryTypeAsync();
        await using var _ = connection;
        await InsertAsync(connection, s, 1L, true, 10, 1.5, "a", Noon);
        await InsertAsync(connection, s, 2L, false, 20, 2.5, "b", Noon.AddDays(1));

        foreach (var (column, value) in new (string, object)[] { ("b", false), ("i", 20), ("d", 2.5), ("v", "b"), ("t", Noon.AddDays(1)), ("k", 2L) })
        {
            await using var select = new NpgsqlCommand($"SELECT k FROM {s} WHERE {column} = $1", connection);
            select.Parameters.Add(new NpgsqlParameter { Value = value });
            Assert.Equal(["2"], await RowsAsync(select));
        }
    }

    [Fact]
    public async Task NarrowerAndWiderClientTypesConvert()
    {
        var (connection, s) = await StreamOfEveryTypeAsync();
        await using var _ = connection;

        // int4 for a bigint, int2 for an int, numeric and float4 for a double, a DateOnly (date) for a timestamp.
        Assert.Equal(1, await InsertAsync(connection, s, 5, true, (short)7, 1.25m, "x", Noon));
        Assert.Equal(1, await InsertAsync(connection, s, 6, true, (short)8, 2.5f, "y", new DateOnly(2026, 3, 1)));

        await using var select = new NpgsqlCommand($"SELECT k, i, d, t FROM {s}", connection);
        Assert.Equal(["5|7|1.25|03/01/2026 12:30:15", "6|8|2.5|03/01/2026 00:00:00"], (await RowsAsync(select)).Order());
    }

    [Fact]
    public async Task NumericTimestampTzDateAndIntervalParametersRoundTrip()
    {
        var s = Sql.Unique("newer");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (k INT KEY, n DECIMAL(12,3), tz TIMESTAMPTZ, day DATE, span INTERVAL) WITH (partitions=1)");
        var instant = new DateTime(2026, 3, 1, 11, 30, 15, 250, DateTimeKind.Utc);
        await using (var insert = new NpgsqlCommand($"INSERT INTO {s} VALUES ($1, $2, $3, $4, $5)", connection))
        {
            foreach (var value in new object[] { 1, 12345.678m, instant, new DateOnly(2026, 2, 28), new TimeSpan(1, 2, 3, 4, 500) })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            insert.Parameters[0].Value = 2;
            insert.Parameters[1].Value = -0.001m;
            insert.Parameters[2].Value = instant.AddYears(-40);
            insert.Parameters[3].Value = new DateOnly(1969, 12, 31);
            insert.Parameters[4].Value = TimeSpan.FromMinutes(-90);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        foreach (var (column, value, key) in new (string, object, int)[]
        {
            ("n", 12345.678m, 1), ("tz", instant.AddYears(-40), 2), ("day", new DateOnly(2026, 2, 28), 1), ("span", TimeSpan.FromMinutes(-90), 2),
        })
        {
            await using var select = new NpgsqlCommand($"SELECT k, n, tz, day, span FROM {s} WHERE {column} = $1", connection);
            select.Parameters.Add(new NpgsqlParameter { Value = value });
            await using var reader = await select.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), column);
            Assert.Equal(key, reader.GetInt32(0));
            var expected = key == 1
                ? (12345.678m, instant, new DateOnly(2026, 2, 28), new TimeSpan(1, 2, 3, 4, 500))
                : (-0.001m, instant.AddYears(-40), new DateOnly(1969, 12, 31), TimeSpan.FromMinutes(-90));
            Assert.Equal(expected, (reader.GetDecimal(1), reader.GetDateTime(2), reader.GetFieldValue<DateOnly>(3), reader.GetTimeSpan(4)));
            Assert.False(await reader.ReadAsync());
        }
    }

    [Fact]
    public async Task ParametersReachSubqueries()
    {
        var (connection, s) = await StreamOfEveryTypeAsync();
        await using var _ = connection;
        await InsertAsync(connection, s, 1L, true, 10, 1.5, "a", Noon);
        await InsertAsync(connection, s, 2L, false, 20, 2.5, "b", Noon);

        await using var select = new NpgsqlCommand($"SELECT v FROM {s} WHERE k IN (SELECT k FROM {s} WHERE i > $1) AND b = $2", connection);
        select.Parameters.Add(new NpgsqlParameter { Value = 5 });
        select.Parameters.Add(new NpgsqlParameter { Value = false });

        Assert.Equal(["b"], await RowsAsync(select));
    }

    [Fact]
    public async Task PreparedStatementsRunManyTimes()
    {
        var (connection, s) = await StreamOfEveryTypeAsync();
        await using var _ = connection;
        await using var insert = new NpgsqlCommand($"INSERT INTO {s} (k, v) VALUES ($1, $2)", connection);
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = 0 });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "" });
        await insert.PrepareAsync();
        for (var i = 0; i < 20; i++)
        {
            ((NpgsqlParameter<long>)insert.Parameters[0]).TypedValue = i;
            ((NpgsqlParameter<string>)insert.Parameters[1]).TypedValue = "v" + i;
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using var select = new NpgsqlCommand($"SELECT v FROM {s} WHERE k >= $1 AND k < $2", connection);
        select.Parameters.Add(new NpgsqlParameter<long> { TypedValue = 5 });
        select.Parameters.Add(new NpgsqlParameter<long> { TypedValue = 8 });
        await select.PrepareAsync();
        Assert.Equal(["v5", "v6", "v7"], (await RowsAsync(select)).Order());
        ((NpgsqlParameter<long>)select.Parameters[0]).TypedValue = 18;
        ((NpgsqlParameter<long>)select.Parameters[1]).TypedValue = 100;
        Assert.Equal(["v18", "v19"], (await RowsAsync(select)).Order());
    }

    [Fact]
    public async Task UndeclaredParameterTypesAreInferredAndDescribed()
    {
        var (connection, s) = await StreamOfEveryTypeAsync();
        await using var _ = connection;
        await using var command = new NpgsqlCommand($"SELECT v, @echo AS echo FROM {s} WHERE i = @i AND t < @t AND b = @b", connection);

        // Npgsql sends Parse with no types and Describe, and reads the types from ParameterDescription.
        NpgsqlCommandBuilder.DeriveParameters(command);

        Assert.Equal([("echo", NpgsqlDbType.Varchar), ("i", NpgsqlDbType.Integer), ("t", NpgsqlDbType.Timestamp), ("b", NpgsqlDbType.Boolean)],
            command.Parameters.Select(p => (p.ParameterName, p.NpgsqlDbType)));
    }

    [Fact]
    public async Task ParameterErrorsCarrySqlStates()
    {
        var (connection, s) = await StreamOfEveryTypeAsync();
        await using var _ = connection;

        await using var mismatch = new NpgsqlCommand($"SELECT k FROM {s} WHERE i = $1", connection);
        mismatch.Parameters.Add(new NpgsqlParameter { Value = "seven" });
        var error = await Assert.ThrowsAsync<PostgresException>(() => mismatch.ExecuteReaderAsync());
        Assert.Equal(("42883", "operator does not exist: integer = character varying"), (error.SqlState, error.MessageText));

        // A declared parameter the statement does not use is allowed, as in PostgreSQL.
        await InsertAsync(connection, s, 1L, true, 2, 1.0, "a", Noon);
        await using var unused = new NpgsqlCommand($"SELECT k FROM {s} WHERE i = $2", connection);
        unused.Parameters.Add(new NpgsqlParameter { Value = 1 });
        unused.Parameters.Add(new NpgsqlParameter { Value = 2 });
        Assert.Equal(["1"], await RowsAsync(unused));

        // bytea is a type of its own now: comparing it with an integer is PostgreSQL's "operator does not exist".
        await using var unusable = new NpgsqlCommand($"SELECT k FROM {s} WHERE i = $1", connection);
        unusable.Parameters.Add(new NpgsqlParameter { Value = new byte[] { 1, 2 } });
        var byteaError = await Assert.ThrowsAsync<PostgresException>(() => unusable.ExecuteReaderAsync());
        Assert.Equal(("42883", "operator does not exist: integer = bytea"), (byteaError.SqlState, byteaError.MessageText));

        Assert.Equal(["1"], await connection.RowsAsync($"SELECT k FROM {s}"));
    }

    private static async Task<List<string>> RowsAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i =>
                reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}
