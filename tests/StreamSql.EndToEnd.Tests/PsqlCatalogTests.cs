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
    public async Task DescribeShowsCollectionColumnTypes()
    {
        var s = Sql.Unique("dcoll");
        var (exit, output, error) = await Psql.RunAsync(_server, $"""
            CREATE STREAM {s} (id INT, tags ARRAY<VARCHAR>, nums INT[], m MAP<VARCHAR, INT>, st STRUCT<a INT>) WITH (partitions=1);
            \d {s}
            """, "-v", "ON_ERROR_STOP=1");

        Assert.True(exit == 0, error);
        Assert.Matches(@"\n tags +\| text\[\] +\|", output);
        Assert.Matches(@"\n nums +\| integer\[\] +\|", output);

        // Maps and structs travel as json (their JSON text).
        Assert.Matches(@"\n m +\| json +\|", output);
        Assert.Matches(@"\n st +\| json +\|", output);
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

    [Fact]
    public async Task ListsTheDatabase()
    {
        var (exit, output, error) = await Psql.RunAsync(_server, "\\l\n", "-v", "ON_ERROR_STOP=1");

        Assert.True(exit == 0, error);
        Assert.Contains("List of databases", output);
        Assert.Contains(" streamsql | streamsql | UTF8     | C       | C     |            | libc            | \n(1 row)", output);
    }

    [Fact]
    public async Task EveryListingMetaCommandNamesTheStream()
    {
        var s = Sql.Unique("meta");
        var (exit, output, error) = await Psql.RunAsync(_server, $"""
            CREATE STREAM {s} (id INT KEY, item VARCHAR, amount DOUBLE) WITH (partitions=1);
            \d
            \dt {s}
            \dv {s}
            \dm {s}
            \dn
            \df upper
            \df lower|upper
            SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = '{s}' ORDER BY ordinal_position;
            SELECT table_schema, table_type FROM information_schema.tables WHERE table_name = '{s}';
            """, "-v", "ON_ERROR_STOP=1");

        Assert.True(exit == 0, error);
        Assert.Equal(2, output.Split($" public | {s} ").Length - 1); // \d lists it among the others, \dt {s} alone
        Assert.Contains($" public | {s} | table | streamsql\n(1 row)", output);
        // Other tests share the server, so \dv and \dm ask for this stream by name: it is neither.
        Assert.Equal(2, error.Split($"Did not find any relation named \"{s}\".").Length - 1);
        Assert.Contains(" public | streamsql\n(1 row)", output);
        Assert.Contains(" pg_catalog | upper | character varying | character varying   | func\n(1 row)", output);
        Assert.Contains(" pg_catalog | lower | character varying | character varying   | func\n pg_catalog | upper | character varying | character varying   | func\n(2 rows)", output);
        Assert.Contains(" id          | integer           | YES\n item        | character varying | YES\n amount      | double precision  | YES\n(3 rows)", output);
        Assert.Contains(" public       | BASE TABLE\n(1 row)", output);
    }

    [Fact]
    public async Task DescribeNameShowsTheStreamsColumnsTypesAndNullability()
    {
        var s = Sql.Unique("dname");
        var t = Sql.Unique("dtab");
        var (exit, output, error) = await Psql.RunAsync(_server, $"""
            CREATE STREAM {s} (id INT KEY, item VARCHAR, amount DOUBLE, ts TIMESTAMP) WITH (partitions=1);
            CREATE TABLE {t} (id INT PRIMARY KEY, region VARCHAR, total DECIMAL(10,2)) WITH (partitions=1);
            \d {s}
            \d {t}
            """, "-v", "ON_ERROR_STOP=1");

        Assert.True(exit == 0, error);
        Assert.Equal("", error);
        Assert.Contains($"Table \"public.{s}\"", output);
        Assert.Contains("""
             Column |            Type             | Collation | Nullable | Default 
            --------+-----------------------------+-----------+----------+---------
             id     | integer                     |           |          | 
             item   | character varying           |           |          | 
             amount | double precision            |           |          | 
             ts     | timestamp without time zone |           |          | 

            """, output);

        // A table's primary key is NOT NULL in pg_attribute, so psql says so; numeric keeps its precision and scale.
        Assert.Contains($"Table \"public.{t}\"", output);
        Assert.Contains("""
             Column |       Type        | Collation | Nullable | Default 
            --------+-------------------+-----------+----------+---------
             id     | integer           |           | not null | 
             region | character varying |           |          | 
             total  | numeric(10,2)     |           |          | 

            """, output);
    }

    [Fact]
    public async Task DescribePlusShowsStorageAndTheAccessMethod()
    {
        var s = Sql.Unique("dplus");
        var (exit, output, error) = await Psql.RunAsync(_server, $"""
            CREATE STREAM {s} (id INT KEY, item VARCHAR) WITH (partitions=1);
            \d+ {s}
            """, "-v", "ON_ERROR_STOP=1");

        Assert.True(exit == 0, error);
        Assert.Equal("", error);
        Assert.Contains($"Table \"public.{s}\"", output);
        Assert.Contains("""
             Column |       Type        | Collation | Nullable | Default | Storage  | Compression | Stats target | Description 
            --------+-------------------+-----------+----------+---------+----------+-------------+--------------+-------------
             id     | integer           |           |          |         | plain    |             |              | 
             item   | character varying |           |          |         | extended |             |              | 
            Access method: heap

            """, output);
    }

    [Fact]
    public async Task DescribeFunctionPlusShowsVolatilityLanguageAndSource()
    {
        var (exit, output, error) = await Psql.RunAsync(_server, "\\df+ upper\n", "-v", "ON_ERROR_STOP=1");

        Assert.True(exit == 0, error);
        Assert.Contains("""
               Schema   | Name  | Result data type  | Argument data types | Type | Volatility | Parallel |   Owner   | Security | Access privileges | Language | Source code | Description 
            ------------+-------+-------------------+---------------------+------+------------+----------+-----------+----------+-------------------+----------+-------------+-------------
             pg_catalog | upper | character varying | character varying   | func | immutable  | safe     | streamsql | invoker  |                   | internal | upper       | 
            (1 row)
            """, output);
    }

    [Fact]
    public async Task DescribeOfAMissingNameSaysSoAndACatalogQueryWeCannotAnswerFailsWithAnSqlState()
    {
        // psql sends the index query only for relations with indexes (we have none); sent by hand, it needs
        // pg_get_indexdef, which we lack: a PostgreSQL error with a SQLSTATE, and the session keeps working.
        var s = Sql.Unique("dmiss");
        var (exit, output, error) = await Psql.RunAsync(_server, $"""
            CREATE STREAM {s} (id INT) WITH (partitions=1);
            \set VERBOSITY verbose
            \d {s}_nope
            SELECT pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) FROM pg_catalog.pg_index i WHERE i.indrelid = '{s}'::pg_catalog.regclass;
            SELECT 'still here' AS session;
            """, "-v", "ON_ERROR_STOP=0");

        Assert.Equal(0, exit);
        Assert.Contains($"Did not find any relation named \"{s}_nope\".", error);
        Assert.Contains("ERROR:  42883: function pg_get_indexdef(integer, integer, boolean) does not exist", error);
        Assert.Contains(" still here\n(1 row)", output);
    }
}
