using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Statements drivers send on their own: transaction blocks (no-ops with PostgreSQL's status), DISCARD ALL, SET/SHOW of session settings.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class SessionStatementTests(SharedServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task NpgsqlTransactionsCommitAndRollBack()
    {
        var s = Sql.Unique("tx");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {s} (id INT) WITH (partitions=1)");

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync($"INSERT INTO {s} VALUES (1)");
            await transaction.CommitAsync();
        }

        await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable))
        {
            await connection.ExecuteAsync($"INSERT INTO {s} VALUES (2)");
            await transaction.RollbackAsync();
        }

        // Statements take effect at once: a rolled-back INSERT stays (there is nothing to undo on a stream).
        Assert.Equal(["1", "2"], (await connection.RowsAsync($"SELECT id FROM {s}")).Order());
    }

    [Fact]
    public async Task AnErrorInABlockFailsItUntilRollback()
    {
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync("BEGIN");
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("SELECT * FROM no_such_stream_tx"));

        var aborted = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("SHOW ALL"));
        Assert.Equal("25P02", aborted.SqlState);
        await connection.ExecuteAsync("ROLLBACK");
        Assert.Equal(["earliest"], await connection.RowsAsync("SHOW 'auto.offset.reset'"));
    }

    [Fact]
    public async Task SetStatementsClientsSendAreAcceptedAndReported()
    {
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync("SET extra_float_digits = 3");
        await connection.ExecuteAsync("SET DateStyle=ISO");
        await connection.ExecuteAsync("SET datestyle TO 'ISO, DMY'");
        await connection.ExecuteAsync("SET TIME ZONE 'Europe/Paris'");
        await connection.ExecuteAsync("SET SESSION application_name = 'ingest'");
        await connection.ExecuteAsync("SET client_encoding = 'UTF-8'");
        await connection.ExecuteAsync("SET extra_float_digits = -2");

        Assert.Equal(["-2"], await connection.RowsAsync("SHOW extra_float_digits"));
        Assert.Equal(["ISO, DMY"], await connection.RowsAsync("SHOW DateStyle"));
        Assert.Equal(["Europe/Paris"], await connection.RowsAsync("SHOW timezone"));
        Assert.Equal(("ingest", "Europe/Paris", "ISO, DMY"),
            (connection.PostgresParameters["application_name"], connection.PostgresParameters["TimeZone"], connection.PostgresParameters["DateStyle"]));

        Assert.Equal("22023", (await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("SET extra_float_digits = 9"))).SqlState);
        Assert.Equal("0A000", (await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("SET DateStyle = German"))).SqlState);
        Assert.Equal("42704", (await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("SET no_such_setting = 1"))).SqlState);
    }

    [Fact]
    public async Task StartupParametersAndOptionsSetTheSession()
    {
        var builder = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Options = "-c extra_float_digits=2 -c DateStyle=ISO,YMD", Timezone = "Asia/Tokyo", ApplicationName = "jdbc-like" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();

        Assert.Equal(["2"], await connection.RowsAsync("SHOW extra_float_digits"));
        Assert.Equal(["ISO, YMD"], await connection.RowsAsync("SHOW datestyle"));
        Assert.Equal(["Asia/Tokyo"], await connection.RowsAsync("SHOW TimeZone"));
        Assert.Equal("jdbc-like", connection.PostgresParameters["application_name"]);
    }

    [Fact]
    public async Task PooledConnectionsAreResetWithDiscardAll()
    {
        var builder = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Pooling = true, MaxPoolSize = 1, ApplicationName = Sql.Unique("pool") };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("SET 'auto.offset.reset' = 'latest'");
            Assert.Equal(["latest"], await connection.RowsAsync("SHOW 'auto.offset.reset'"));
        }

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            Assert.Equal(["earliest"], await connection.RowsAsync("SHOW 'auto.offset.reset'"));
            await connection.ExecuteAsync("DISCARD ALL");
            await connection.ExecuteAsync("DISCARD PLANS");
        }
    }

    [Fact]
    public async Task PsqlShowsTheTransactionStatusAndWarnings()
    {
        var (exit, output, error) = await Psql.RunAsync(_server, """
            BEGIN;
            \echo :'LAST_ERROR_MESSAGE'
            START TRANSACTION ISOLATION LEVEL READ COMMITTED;
            COMMIT;
            COMMIT;
            ROLLBACK;
            """, "-v", "ON_ERROR_STOP=1");

        Assert.True(exit == 0, error);
        Assert.Equal("BEGIN\n''\nSTART TRANSACTION\nCOMMIT\nCOMMIT\nROLLBACK\n", output);
        Assert.Contains("WARNING:  there is already a transaction in progress", error);
        Assert.Contains("WARNING:  there is no transaction in progress", error);
    }
}
