using Npgsql;
using NpgsqlTypes;

namespace StreamSql.EndToEnd.Tests;

/// <summary>SMALLINT, REAL, TIME and BYTEA through Npgsql: binary results with PostgreSQL's OIDs, and binary parameters both ways.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class NpgsqlSmallIntRealTimeTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ComputedValuesDecodeFromBinary()
    {
        await using var connection = await _server.ConnectAsync();
        await using var command = new NpgsqlCommand(
            "SELECT CAST(-32768 AS SMALLINT) AS s, CAST(7 AS SMALLINT) * CAST(3 AS SMALLINT) AS p, CAST(0.1 AS REAL) AS r, " +
            "CAST(1 AS REAL) / CAST(3 AS REAL) AS third, CAST('NaN' AS REAL) AS nan, TIME '23:30' + INTERVAL '1 hour' AS t, " +
            "TIME '12:34:56.789012' AS frac, TIME '10:00' - TIME '12:30' AS span",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.Equal(["int2", "int2", "float4", "float4", "float4", "time", "time", "interval"],
            Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetPostgresType(i).InternalName));
        Assert.True(await reader.ReadAsync());
        Assert.Equal((short)-32768, reader.GetInt16(0));
        Assert.Equal((short)21, reader.GetInt16(1));
        Assert.Equal(0.1f, reader.GetFloat(2));
        Assert.Equal(1f / 3f, reader.GetFloat(3));
        Assert.True(float.IsNaN(reader.GetFloat(4)));
        Assert.Equal(new TimeOnly(0, 30), reader.GetFieldValue<TimeOnly>(5));
        Assert.Equal(new TimeSpan(0, 12, 34, 56, 789) + TimeSpan.FromTicks(120), reader.GetFieldValue<TimeSpan>(6));
        Assert.Equal(TimeSpan.FromMinutes(-150), reader.GetFieldValue<TimeSpan>(7));
    }

    [Fact]
    public async Task ParametersRoundTripThroughAStream()
    {
        var s = Sql.Unique("small_real_time");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (k INT KEY, sm SMALLINT, r REAL, t TIME) WITH (partitions=1)");
        await using (var insert = new NpgsqlCommand($"INSERT INTO {s} VALUES ($1, $2, $3, $4)", connection))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = 1 });
            insert.Parameters.Add(new NpgsqlParameter { Value = (short)32767 });
            insert.Parameters.Add(new NpgsqlParameter { Value = 1.5e20f });
            insert.Parameters.Add(new NpgsqlParameter { Value = new TimeOnly(23, 59, 59, 999) });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            insert.Parameters[0].Value = 2;
            insert.Parameters[1].Value = (short)-5;
            insert.Parameters[2].Value = -0.25f;
            insert.Parameters[3].Value = new TimeOnly(0, 0);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using (var select = new NpgsqlCommand($"SELECT k, sm, r, t FROM {s} WHERE sm = $1", connection))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = (short)32767 });
            await using var reader = await select.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal((1, (short)32767, 1.5e20f, new TimeOnly(23, 59, 59, 999)),
                (reader.GetInt32(0), reader.GetInt16(1), reader.GetFloat(2), reader.GetFieldValue<TimeOnly>(3)));
        }

        foreach (var (column, value, key) in new (string, object, int)[] { ("r", -0.25f, 2), ("t", new TimeOnly(0, 0), 2), ("sm", (short)-5, 2) })
        {
            await using var select = new NpgsqlCommand($"SELECT k FROM {s} WHERE {column} = $1", connection);
            select.Parameters.Add(new NpgsqlParameter { Value = value });
            Assert.Equal(key, await select.ExecuteScalarAsync());
        }

        await using var text = new NpgsqlCommand($"SELECT CAST(sm AS TEXT), CAST(r AS TEXT), CAST(t AS TEXT) FROM {s} WHERE k = 1", connection);
        await using var textReader = await text.ExecuteReaderAsync();
        Assert.True(await textReader.ReadAsync());
        Assert.Equal(("32767", "1.5e+20", "23:59:59.999"), (textReader.GetString(0), textReader.GetString(1), textReader.GetString(2)));
    }

    [Fact]
    public async Task TypedParametersComeBackWithTheirTypes()
    {
        await using var connection = await _server.ConnectAsync();
        await using var command = new NpgsqlCommand("SELECT $1 + $1, $2 * 2, $3 + INTERVAL '90 minutes'", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (short)100, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new NpgsqlParameter { Value = 2.5f, NpgsqlDbType = NpgsqlDbType.Real });
        command.Parameters.Add(new NpgsqlParameter { Value = new TimeOnly(23, 0), NpgsqlDbType = NpgsqlDbType.Time });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.Equal(["int2", "float8", "time"], Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetPostgresType(i).InternalName));
        Assert.True(await reader.ReadAsync());
        Assert.Equal(((short)200, 5.0, new TimeOnly(0, 30)), (reader.GetInt16(0), reader.GetDouble(1), reader.GetFieldValue<TimeOnly>(2)));
    }

    [Fact]
    public async Task ByteaRoundTripsAsRawBytes()
    {
        var s = Sql.Unique("bytes");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (k INT KEY, b BYTES) WITH (partitions=1)");
        byte[] payload = [0, 1, 2, 0xfe, 0xff];
        await using (var insert = new NpgsqlCommand($"INSERT INTO {s} VALUES ($1, $2)", connection))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = 1 });
            insert.Parameters.Add(new NpgsqlParameter { Value = payload });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            insert.Parameters[0].Value = 2;
            insert.Parameters[1].Value = Array.Empty<byte>();
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using var select = new NpgsqlCommand($"SELECT k, b, b || $1 AS more, length(b) AS n, CAST(b AS TEXT) AS hex FROM {s} WHERE b = $2", connection);
        select.Parameters.Add(new NpgsqlParameter { Value = new byte[] { 0x41 } });
        select.Parameters.Add(new NpgsqlParameter { Value = payload });
        await using var reader = await select.ExecuteReaderAsync();
        Assert.Equal(["int4", "bytea", "bytea", "int4", "text"], Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetPostgresType(i).InternalName == "varchar" ? "text" : reader.GetPostgresType(i).InternalName));
        Assert.True(await reader.ReadAsync());
        Assert.Equal(1, reader.GetInt32(0));
        Assert.Equal(payload, reader.GetFieldValue<byte[]>(1));
        Assert.Equal([.. payload, 0x41], reader.GetFieldValue<byte[]>(2));
        Assert.Equal(5, reader.GetInt32(3));
        Assert.Equal("\\x000102feff", reader.GetString(4));
        Assert.False(await reader.ReadAsync());
    }
}
