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
    public async Task ArrayTextOutputQuotesLikePostgres()
    {
        await using var connection = await _server.ConnectAsync();
        await using var command = new NpgsqlCommand("SELECT ARRAY['a b', '', NULL, 'NULL', 'x\"y', 'back\\slash', '{}', 'a,b', 'plain']", connection) { AllResultTypesAreUnknown = true };
        Assert.Equal("{\"a b\",\"\",NULL,\"NULL\",\"x\\\"y\",\"back\\\\slash\",\"{}\",\"a,b\",plain}", await command.ExecuteScalarAsync());
    }
}
