using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Npgsql asks for every result column in binary: each of our types, computed columns, extremes and NULLs decode to the right values (JSON streams keep timestamps to the millisecond).</summary>
[Collection(SharedServerCollection.Name)]
public sealed class NpgsqlBinaryResultTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task EveryTypeDecodesFromBinary()
    {
        var s = Sql.Unique("binary");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (k BIGINT KEY, b BOOLEAN, i INT, d DOUBLE, v VARCHAR, t TIMESTAMP) WITH (partitions=1)");
        await connection.ExecuteAsync($"""
            INSERT INTO {s} VALUES
              (9223372036854775807, true, 2147483647, '1e308', 'ünï ☃', '2262-04-11 23:47:16.854'),
              (-9223372036854775808, false, -2147483648, 'NaN', '', '1900-01-01 00:00:00.001'),
              (0, NULL, NULL, NULL, NULL, NULL)
            """);

        await using var command = new NpgsqlCommand(
            $"SELECT k, b, i, d, v, t, NOT b AS nb, i * 2::bigint AS wide, d / 2 AS half, length(v) AS len, upper(v) AS up, rowpartition, rowoffset, rowtime > '2000-01-01' AS recent FROM {s}",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.Equal(
            ["int8", "bool", "int4", "float8", "varchar", "timestamp", "bool", "int8", "float8", "int4", "varchar", "int4", "int8", "bool"],
            Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetPostgresType(i).InternalName));

        Assert.True(await reader.ReadAsync());
        Assert.Equal((long.MaxValue, true, int.MaxValue, 1e308, "ünï ☃", new DateTime(2262, 4, 11, 23, 47, 16, 854)),
            (reader.GetInt64(0), reader.GetBoolean(1), reader.GetInt32(2), reader.GetDouble(3), reader.GetString(4), reader.GetDateTime(5)));
        Assert.Equal((false, 4294967294L, 5e307, 5, "ÜNÏ ☃", 0, 0L, true),
            (reader.GetBoolean(6), reader.GetInt64(7), reader.GetDouble(8), reader.GetInt32(9), reader.GetString(10), reader.GetInt32(11), reader.GetInt64(12), reader.GetBoolean(13)));

        Assert.True(await reader.ReadAsync());
        Assert.Equal((long.MinValue, false, int.MinValue, "", new DateTime(1900, 1, 1, 0, 0, 0, 1)),
            (reader.GetInt64(0), reader.GetBoolean(1), reader.GetInt32(2), reader.GetString(4), reader.GetDateTime(5)));
        Assert.True(double.IsNaN(reader.GetDouble(3)));
        Assert.Equal((-4294967296L, 0, 1L), (reader.GetInt64(7), reader.GetInt32(9), reader.GetInt64(12)));

        Assert.True(await reader.ReadAsync());
        Assert.Equal(Enumerable.Repeat(true, 10), Enumerable.Range(1, 10).Select(reader.IsDBNull));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task NumericDateTimestampTzAndIntervalDecodeFromBinary()
    {
        await using var connection = await _server.ConnectAsync();
        await using var command = new NpgsqlCommand(
            "SELECT 12.50::numeric(5,2) AS n, -0.0001::numeric AS small, DATE '2026-01-31' + 1 AS d, '1999-12-31'::date AS before, " +
            "'2026-01-01 10:00:00+02'::timestamptz AS tz, INTERVAL '90 seconds' * 2 AS i, INTERVAL '1 month 2 days' AS md",
            connection);
        await using var reader = await command.ExecuteReaderAsync();

        Assert.Equal(["numeric", "numeric", "date", "date", "timestamptz", "interval", "interval"], Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetPostgresType(i).InternalName));
        Assert.True(await reader.ReadAsync());
        Assert.Equal((12.50m, -0.0001m, new DateOnly(2026, 2, 1), new DateOnly(1999, 12, 31)),
            (reader.GetDecimal(0), reader.GetDecimal(1), reader.GetFieldValue<DateOnly>(2), reader.GetFieldValue<DateOnly>(3)));
        Assert.Equal(new DateTime(2026, 1, 1, 8, 0, 0, DateTimeKind.Utc), reader.GetDateTime(4));
        Assert.Equal(TimeSpan.FromMinutes(3), reader.GetTimeSpan(5));
        Assert.Equal(new NpgsqlTypes.NpgsqlInterval(1, 2, 0), reader.GetFieldValue<NpgsqlTypes.NpgsqlInterval>(6));
    }
}
