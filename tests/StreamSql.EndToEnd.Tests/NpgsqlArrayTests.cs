using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Arrays over the wire: the array type OIDs (int4[], int8[], text[], float8[]) and their binary and text encodings, read by Npgsql.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class NpgsqlArrayTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ArraysDecodeWithTheirElementTypes()
    {
        await using var connection = await _server.ConnectAsync();
        await using var command = new NpgsqlCommand(
            "SELECT ARRAY[1, NULL, 3] AS i, ARRAY[CAST(1 AS BIGINT), 9223372036854775807] AS l, ARRAY['a b', '', NULL, 'x\"y'] AS t, " +
            "ARRAY[CAST(1.5 AS DOUBLE PRECISION)] AS d, CAST(ARRAY[] AS INT[]) AS e, CAST(NULL AS TEXT[]) AS n",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.Equal(["_int4", "_int8", "_text", "_float8", "_int4", "_text"], Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetPostgresType(i).InternalName));
        Assert.True(await reader.ReadAsync());
        Assert.Equal(new int?[] { 1, null, 3 }, reader.GetFieldValue<int?[]>(0));
        Assert.Equal([1L, long.MaxValue], reader.GetFieldValue<long[]>(1));
        Assert.Equal(new[] { "a b", "", null, "x\"y" }, reader.GetFieldValue<string?[]>(2).AsEnumerable());
        Assert.Equal([1.5], reader.GetFieldValue<double[]>(3));
        Assert.Empty(reader.GetFieldValue<int[]>(4));
        Assert.True(reader.IsDBNull(5));
    }

    [Fact]
    public async Task ArrayColumnsOfAStreamDecode()
    {
        await using var connection = await _server.ConnectAsync();
        var s = Sql.Unique("npg_arrcol");
        await connection.ExecuteAsync(
            $"CREATE STREAM {s} (k INT KEY, tags ARRAY<VARCHAR>, nums INT[], big BIGINT[], m MAP<VARCHAR, INT>, st STRUCT<f1 INT, f2 VARCHAR>) WITH (partitions=1)");
        await connection.ExecuteAsync(
            $"INSERT INTO {s} VALUES (1, ARRAY['a b', NULL, ''], '{{1,NULL,3}}', ARRAY[9223372036854775807], MAP('x' := 1), STRUCT(f1 := 2, f2 := 'q')), " +
            "(2, '{}', NULL, NULL, NULL, NULL)");

        await using var command = new NpgsqlCommand($"SELECT k, tags, nums, big, m, st FROM {s} ORDER BY k", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.Equal(["int4", "_text", "_int4", "_int8", "json", "json"], Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetPostgresType(i).InternalName));

        Assert.True(await reader.ReadAsync());
        Assert.Equal(new[] { "a b", null, "" }, reader.GetFieldValue<string?[]>(1).AsEnumerable());
        Assert.Equal(new int?[] { 1, null, 3 }, reader.GetFieldValue<int?[]>(2));
        Assert.Equal([long.MaxValue], reader.GetFieldValue<long[]>(3));
        Assert.Equal("{\"x\":1}", reader.GetString(4));
        Assert.Equal("{\"f1\":2,\"f2\":\"q\"}", reader.GetString(5));

        Assert.True(await reader.ReadAsync());
        Assert.Empty(reader.GetFieldValue<string[]>(1));
        Assert.True(reader.IsDBNull(2));
        Assert.True(reader.IsDBNull(4));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task ArrayParametersBindInBinaryAndText()
    {
        await using var connection = await _server.ConnectAsync();
        var s = Sql.Unique("npg_arrpar");
        await connection.ExecuteAsync($"CREATE STREAM {s} (k INT KEY, tags ARRAY<VARCHAR>, nums BIGINT[], d DOUBLE[]) WITH (partitions=1)");
        await using (var insert = new NpgsqlCommand($"INSERT INTO {s} VALUES ($1, $2, $3, $4)", connection))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = 1 });
            insert.Parameters.Add(new NpgsqlParameter { Value = new[] { "a b", null, "" } });
            insert.Parameters.Add(new NpgsqlParameter { Value = new[] { 1, 2 } });
            insert.Parameters.Add(new NpgsqlParameter { Value = new[] { 1.5 } });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());

            // Parameters whose type the server infers (no OID sent) and empty arrays.
            insert.Parameters.Clear();
            insert.Parameters.Add(new NpgsqlParameter { Value = 2 });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [] });
            insert.Parameters.Add(new NpgsqlParameter { Value = "{7,NULL}", NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Unknown });
            insert.Parameters.Add(new NpgsqlParameter { Value = DBNull.Value });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using var select = new NpgsqlCommand($"SELECT k, tags, nums, d FROM {s} WHERE nums = $1 OR k = $2 ORDER BY k", connection);
        select.Parameters.Add(new NpgsqlParameter { Value = new long[] { 1, 2 } });
        select.Parameters.Add(new NpgsqlParameter { Value = 2 });
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(new[] { "a b", null, "" }, reader.GetFieldValue<string?[]>(1).AsEnumerable());
        Assert.Equal([1L, 2L], reader.GetFieldValue<long[]>(2));
        Assert.Equal([1.5], reader.GetFieldValue<double[]>(3));
        Assert.True(await reader.ReadAsync());
        Assert.Empty(reader.GetFieldValue<string[]>(1));
        Assert.Equal(new long?[] { 7, null }, reader.GetFieldValue<long?[]>(2));
        Assert.True(reader.IsDBNull(3));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task ArrayTextOutputQuotesLikePostgres()
    {
        await using var connection = await _server.ConnectAsync();
        await using var command = new NpgsqlCommand("SELECT ARRAY['a b', '', NULL, 'NULL', 'x\"y', 'back\\slash', '{}', 'a,b', 'plain']", connection) { AllResultTypesAreUnknown = true };
        Assert.Equal("{\"a b\",\"\",NULL,\"NULL\",\"x\\\"y\",\"back\\\\slash\",\"{}\",\"a,b\",plain}", await command.ExecuteScalarAsync());
    }
}
