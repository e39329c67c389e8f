namespace StreamSql.EndToEnd.Tests;

/// <summary>The real psql binary against the server: the README session, errors with a caret, several statements per message.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class PsqlTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    private Task<(int ExitCode, string Output, string Error)> PsqlAsync(string input, params string[] extra) => Psql.RunAsync(_server, input, extra);

    [Fact]
    public async Task QuickstartSessionPrintsTheTwoRows()
    {
        var orders = Sql.Unique("orders");
        var big = Sql.Unique("big_orders");
        var (exit, output, error) = await PsqlAsync($"""
            CREATE STREAM {orders} (id INT KEY, item VARCHAR, amount DOUBLE) WITH (kafka_topic='{orders}', value_format='JSON', partitions=2);
            INSERT INTO {orders} (id, item, amount) VALUES (1, 'apple', 0.5), (2, 'pear', 1.5), (3, 'fig', 2.5);
            SELECT id, item, amount * 2 AS double_amount FROM {orders} WHERE amount > 1 EMIT CHANGES LIMIT 2;
            CREATE STREAM {big} AS SELECT id, UCASE(item) AS item FROM {orders} WHERE amount > 1 EMIT CHANGES;
            FLUSH;
            SELEC 1;
            """, "-v", "ON_ERROR_STOP=0");

        Assert.Equal(0, exit);
        Assert.Contains("CREATE STREAM\nINSERT 0 3\n", output);
        Assert.Contains(" id | item | double_amount \n----+------+---------------\n", output);
        Assert.Contains("  2 | pear |             3\n", output);
        Assert.Contains("  3 | fig  |             5\n", output);
        Assert.Contains("(2 rows)", output);
        Assert.Contains("FLUSH", output);
        Assert.Contains("ERROR:  syntax error at or near \"SELEC\"", error);
    }

    [Fact]
    public async Task OnErrorStopFailsWithACaretUnderTheError()
    {
        var (exit, _, error) = await PsqlAsync("SELECT nope FROM no_such_stream;\n", "-v", "ON_ERROR_STOP=1");

        Assert.Equal(3, exit);
        Assert.Contains("ERROR:  relation \"no_such_stream\" does not exist\nLINE 1: SELECT nope FROM no_such_stream;\n                         ^", error);
    }

    [Fact]
    public async Task SeveralStatementsInOneMessage()
    {
        var s = Sql.Unique("multi");
        var (exit, output, error) = await PsqlAsync("", "-v", "ON_ERROR_STOP=1", "-c",
            $"CREATE STREAM {s} (a INT) WITH (partitions=1); INSERT INTO {s} VALUES (1), (2); SELECT a * 10 AS x FROM {s}");

        Assert.True(exit == 0, error);
        Assert.Contains(" x  \n----\n 10\n 20\n(2 rows)", output);
    }
}
