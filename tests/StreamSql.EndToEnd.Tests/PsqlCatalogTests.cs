namespace StreamSql.EndToEnd.Tests;

/// <summary>psql's \conninfo and pg_catalog read through psql: streams show as tables with their columns' PostgreSQL types.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class PsqlCatalogTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task ConninfoNamesTheServer()
    {
        var (exit, output, error) = await Psql.RunAsync(_server, "\\conninfo\n");

        Assert.True(exit == 0, error);
        Assert.Contains($"You are connected to database \"streamsql\" as user \"streamsql\" on host \"127.0.0.1\" at port \"{_server.PgPort}\".", output);
    }

    [Fact]
    public async Task StreamsAndTheirColumnsAreInPgCatalog()
    {
        var s = Sql.Unique("catalog");
        var (exit, output, error) = await Psql.RunAsync(_server, $"""
            CREATE STREAM {s} (id INT KEY, name VARCHAR, ts TIMESTAMP) WITH (partitions=1);
            SELECT relname, relkind FROM pg_catalog.pg_class WHERE relname = '{s}';
            SELECT a.attname, t.typname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid WHERE c.relname = '{s}' ORDER BY a.attnum;
            SELECT attname, atttypid FROM pg_catalog.pg_attribute WHERE attrelid = (SELECT oid FROM pg_catalog.pg_class WHERE relname = '{s}') ORDER BY attnum;
            """, "-v", "ON_ERROR_STOP=0");

        Assert.Equal(0, exit);
        Assert.Contains($" {s} | r\n(1 row)", output);
        Assert.Contains(" id      |       23\n name    |     1043\n ts      |     1114\n(3 rows)", output);
        Assert.Contains(" attname |  typname  \n---------+-----------\n id      | int4\n name    | varchar\n ts      | timestamp\n(3 rows)", output);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task ListsStreamsAsTablesAndTheSchemas()
    {
        var s = Sql.Unique("dt");
        var (exit, output, error) = await Psql.RunAsync(_server, $"""
            CREATE STREAM {s} (id INT) WITH (partitions=1);
            \dt {s}
            \dt
            \dn
            \dv
            \df strpos
            """, "-v", "ON_ERROR_STOP=1");

        Assert.True(exit == 0, error);
        Assert.Contains($" public | {s} | table | streamsql\n(1 row)", output);
        Assert.Contains("  List of schemas\n  Name  |   Owner   \n--------+-----------\n public | streamsql\n(1 row)", output);
        Assert.Contains("Did not find any relations.", error);
        Assert.Contains(" pg_catalog | strpos | integer          | character varying, character varying | func\n(1 row)", output);
    }

    [Fact]
    public async Task DescribeWithoutANameListsTheRelations()
    {
        var s = Sql.Unique("dlist");
        var (exit, output, error) = await Psql.RunAsync(_server, $"CREATE STREAM {s} (id INT) WITH (partitions=1);\n\\d\n", "-v", "ON_ERROR_STOP=1");

        Assert.True(exit == 0, error);
        Assert.Contains("List of relations", output);
        Assert.Contains($" public | {s} ", output);
    }
}
