using System.Buffers.Binary;
using System.Text;

namespace StreamSql.EndToEnd.Tests;

/// <summary>The extended protocol message by message: pipelining, Execute with a row limit (portal suspension), errors skipping to Sync.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class ExtendedProtocolTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    private static byte[] CString(string s) => [.. Encoding.UTF8.GetBytes(s), 0];

    private static byte[] Int16(int v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, (short)v);
        return b;
    }

    private static byte[] Int32(int v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, v);
        return b;
    }

    private static byte[] Parse(string name, string sql, params int[] oids) =>
        RawPgClient.Message('P', [.. CString(name), .. CString(sql), .. Int16(oids.Length), .. oids.SelectMany(Int32)]);

    private static byte[] BindText(string portal, string statement, params string[] values) =>
        RawPgClient.Message('B', [.. CString(portal), .. CString(statement), .. Int16(0), .. Int16(values.Length),
            .. values.SelectMany(v => (byte[])[.. Int32(Encoding.UTF8.GetByteCount(v)), .. Encoding.UTF8.GetBytes(v)]), .. Int16(0)]);

    private static byte[] Execute(string portal, int maxRows) => RawPgClient.Message('E', [.. CString(portal), .. Int32(maxRows)]);

    private static byte[] Describe(char kind, string name) => RawPgClient.Message('D', [(byte)kind, .. CString(name)]);

    private static readonly byte[] Sync = RawPgClient.Message('S', []);

    private static string Types(IEnumerable<(char Type, byte[] Body)> messages) => new([.. messages.Select(m => m.Type)]);

    private async Task<string> StreamWithRowsAsync(int rows)
    {
        var s = Sql.Unique("ext");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT) WITH (partitions=1)");
        await connection.ExecuteAsync($"INSERT INTO {s} VALUES " + string.Join(", ", Enumerable.Range(1, rows).Select(i => $"({i})")));
        return s;
    }

    [Fact]
    public async Task APipelinedPortalIsReadInSlices()
    {
        var s = await StreamWithRowsAsync(5);
        var client = await RawPgClient.StartAsync(_server);

        await client.SendAsync([
            .. Parse("by_id", $"SELECT id FROM {s} WHERE id > $1"),
            .. Describe('S', "by_id"),
            .. BindText("p", "by_id", "0"),
            .. Execute("p", 2),
            .. Execute("p", 2),
            .. Execute("p", 0),
            .. Execute("p", 0),
            .. Sync,
        ]);
        var messages = await client.ReadUntilReadyAsync();

        // ParseComplete, ParameterDescription (int4, inferred), RowDescription, BindComplete, then 2 rows + PortalSuspended twice, the last row and the tag.
        Assert.Equal("1tT2DDsDDsDCCZ", Types(messages));
        Assert.Equal([0, 1, 0, 0, 0, 23], messages[1].Body);
        Assert.Equal(["SELECT 5", "SELECT 0"], messages.Where(m => m.Type == 'C').Select(m => Encoding.UTF8.GetString(m.Body).TrimEnd('\0')));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task AnErrorSkipsToSyncAndTheNextBatchRuns()
    {
        var s = await StreamWithRowsAsync(2);
        var client = await RawPgClient.StartAsync(_server);

        await client.SendAsync([
            .. Parse("", $"SELECT nope FROM {s}"),
            .. BindText("", ""),
            .. Execute("", 0),
            .. Sync,
            .. Parse("", $"SELECT id FROM {s} WHERE id = $1", 20),
            .. BindText("", "", "2"),
            .. Describe('P', ""),
            .. Execute("", 0),
            .. Sync,
        ]);

        var failed = await client.ReadUntilReadyAsync();
        Assert.Equal("EZ", Types(failed));
        Assert.Equal("42703", RawPgClient.SqlState(failed[0].Body));
        var ran = await client.ReadUntilReadyAsync();
        Assert.Equal("12TDCZ", Types(ran));
        Assert.Equal("2", Encoding.UTF8.GetString(ran[3].Body[6..]));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task BindChecksTheParameterCountAndValues()
    {
        var s = await StreamWithRowsAsync(1);
        var client = await RawPgClient.StartAsync(_server);

        await client.SendAsync([.. Parse("two", $"SELECT id FROM {s} WHERE id = $1 OR id = $2"), .. BindText("", "two", "1"), .. Sync]);
        var count = await client.ReadUntilReadyAsync();
        await client.SendAsync([.. BindText("", "two", "1", "x"), .. Sync]);
        var value = await client.ReadUntilReadyAsync();

        Assert.Equal(("1EZ", "08P01"), (Types(count), RawPgClient.SqlState(count[1].Body)));
        Assert.Equal("bind message supplies 1 parameters, but prepared statement \"two\" requires 2", RawPgClient.Field(count[1].Body, 'M'));
        Assert.Equal(("EZ", "22P02", "invalid input syntax for type integer: \"x\""), (Types(value), RawPgClient.SqlState(value[0].Body), RawPgClient.Field(value[0].Body, 'M')));
        await client.DisposeAsync();
    }

    /// <summary>Npgsql describes every statement before it runs: each statement that returns rows says which, through Parse/Describe.</summary>
    [Fact]
    public async Task EveryRowReturningStatementIsDescribed()
    {
        var s = await StreamWithRowsAsync(2);
        await using var connection = await _server.ConnectAsync();
        string[] statements =
        [
            $"SELECT id FROM {s}", "SHOW STREAMS", "SHOW ALL", "SHOW extra_float_digits", $"DESCRIBE {s}", $"EXPLAIN SELECT id FROM {s}",
            $"PRINT '{s}' FROM BEGINNING LIMIT 1", "DESCRIBE FUNCTION upper", "SELECT 1 + 1 AS two", "VALUES (1, 'a')",
        ];
        foreach (var sql in statements)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(reader.FieldCount > 0, sql);
            Assert.True(await reader.ReadAsync(), sql);
        }
    }
}
