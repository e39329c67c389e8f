using Npgsql;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Streaming joins observed while their inputs change under a running push query (what .slt files cannot do).</summary>
[Collection(SharedServerCollection.Name)]
public sealed class JoinTests(SharedServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task TableTableJoinPushesEachKeysChanges()
    {
        var users = Sql.Unique("users");
        var scores = Sql.Unique("scores");
        await using var writer = await _server.ConnectAsync();
        await writer.ExecuteAsync($"CREATE TABLE {users} (id INT PRIMARY KEY, name VARCHAR) WITH (partitions=2)");
        await writer.ExecuteAsync($"CREATE TABLE {scores} (id INT PRIMARY KEY, score INT) WITH (partitions=1)");
        await writer.ExecuteAsync($"INSERT INTO {users} VALUES (1, 'ann')");

        await using var reader = await _server.ConnectAsync();
        using var cancel = new CancellationTokenSource();
        await using var command = new NpgsqlCommand($"SELECT u.id, u.name, s.score FROM {users} u LEFT JOIN {scores} s ON u.id = s.id EMIT CHANGES", reader);
        await using var rows = await command.ExecuteReaderAsync(cancel.Token).WaitAsync(Timeout);

        var count = 0;
        async Task<string> NextAsync()
        {
            try
            {
                var row = await NextRowTextAsync(rows, cancel.Token);
                count++;
                return row;
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"no change after {count}");
            }
        }

        Assert.Equal("1|ann|NULL|insert", await NextAsync());

        // A right row arriving updates the padded row; a new left row without a partner is inserted padded.
        await writer.ExecuteAsync($"INSERT INTO {scores} VALUES (1, 10)");
        Assert.Equal("1|ann|10|update", await NextAsync());
        await writer.ExecuteAsync($"INSERT INTO {users} VALUES (2, 'bob')");
        Assert.Equal("2|bob|NULL|insert", await NextAsync());

        // A right row without a left one changes nothing in a LEFT join; deleting the right row pads again.
        await writer.ExecuteAsync($"INSERT INTO {scores} VALUES (3, 30)");
        await writer.ExecuteAsync($"DELETE FROM {scores} WHERE id = 1");
        Assert.Equal("1|ann|NULL|update", await NextAsync());

        // Deleting the left row deletes the key's result.
        await writer.ExecuteAsync($"DELETE FROM {users} WHERE id = 2");
        Assert.Equal("2|bob|NULL|delete", await NextAsync());

        // A CancelRequest ends the push query (57014), so the reader can be disposed.
        command.Cancel();
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            while (await rows.ReadAsync().WaitAsync(Timeout))
            {
            }
        });
        Assert.True(error is OperationCanceledException || error is PostgresException { SqlState: "57014" } || error.InnerException is PostgresException { SqlState: "57014" }, error.ToString());
    }

    /// <summary>The push query's next row (within the timeout), its values joined by '|' (NULL as "NULL").</summary>
    private static async Task<string> NextRowTextAsync(NpgsqlDataReader rows, CancellationToken cancellationToken)
    {
        Assert.True(await rows.ReadAsync(cancellationToken).WaitAsync(Timeout));
        return string.Join("|", Enumerable.Range(0, rows.FieldCount).Select(i => rows.IsDBNull(i) ? "NULL" : Convert.ToString(rows.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)));
    }

    // Tables keyed by two columns (a two-column GROUP BY) join on both: a key's changes meet only that key's rows.
    [Fact]
    public async Task TableTableJoinOnACompositeKeyPushesEachKeysChanges()
    {
        var orders = Sql.Unique("orders");
        var payments = Sql.Unique("payments");
        await using var writer = await _server.ConnectAsync();
        await writer.ExecuteAsync($"CREATE STREAM {orders} (k VARCHAR KEY, region VARCHAR, amount INT) WITH (partitions=2)");
        await writer.ExecuteAsync($"CREATE STREAM {payments} (k VARCHAR KEY, region VARCHAR, paid INT) WITH (partitions=2)");
        await writer.ExecuteAsync($"CREATE TABLE {orders}_n AS SELECT k, region, count(*) AS n FROM {orders} GROUP BY k, region");
        await writer.ExecuteAsync($"CREATE TABLE {payments}_sum AS SELECT k, region, sum(paid) AS total FROM {payments} GROUP BY k, region");
        await writer.ExecuteAsync($"INSERT INTO {orders} VALUES ('x', 'eu', 1)");
        await writer.ExecuteAsync("FLUSH");

        await using var reader = await _server.ConnectAsync();
        using var cancel = new CancellationTokenSource();
        await using var command = new NpgsqlCommand(
            $"SELECT o.k, o.region, o.n, p.total FROM {orders}_n o LEFT JOIN {payments}_sum p ON o.k = p.k AND o.region = p.region EMIT CHANGES", reader);
        await using var rows = await command.ExecuteReaderAsync(cancel.Token).WaitAsync(Timeout);

        Assert.Equal("x|eu|1|NULL|insert", await NextRowTextAsync(rows, cancel.Token));
        await writer.ExecuteAsync($"INSERT INTO {orders} VALUES ('x', 'us', 2)");
        Assert.Equal("x|us|1|NULL|insert", await NextRowTextAsync(rows, cancel.Token));

        // A payment of (x, us) updates that key's row only; then (x, eu)'s.
        await writer.ExecuteAsync($"INSERT INTO {payments} VALUES ('x', 'us', 7)");
        Assert.Equal("x|us|1|7|update", await NextRowTextAsync(rows, cancel.Token));
        await writer.ExecuteAsync($"INSERT INTO {payments} VALUES ('x', 'eu', 5)");
        Assert.Equal("x|eu|1|5|update", await NextRowTextAsync(rows, cancel.Token));
        await writer.ExecuteAsync($"INSERT INTO {orders} VALUES ('x', 'eu', 3)");
        Assert.Equal("x|eu|2|5|update", await NextRowTextAsync(rows, cancel.Token));

        // The persistent join writes the same rows, keyed by both columns.
        await writer.ExecuteAsync($"CREATE TABLE {orders}_paid AS SELECT o.k, o.region, o.n, p.total FROM {orders}_n o JOIN {payments}_sum p ON o.k = p.k AND o.region = p.region");
        await writer.ExecuteAsync("FLUSH");
        Assert.Equal(["x|eu|2|5", "x|us|1|7"], await writer.RowsAsync($"SELECT k, region, n, total FROM {orders}_paid ORDER BY region"));
        command.Cancel();
    }

    [Fact]
    public async Task StreamTableJoinSeesTableRowsWrittenBeforeTheStreamRow()
    {
        var users = Sql.Unique("users");
        var clicks = Sql.Unique("clicks");
        await using var writer = await _server.ConnectAsync();
        await writer.ExecuteAsync($"CREATE TABLE {users} (id VARCHAR PRIMARY KEY, name VARCHAR) WITH (partitions=2)");
        await writer.ExecuteAsync($"CREATE STREAM {clicks} (user_id VARCHAR KEY, page VARCHAR) WITH (partitions=2)");

        await using var reader = await _server.ConnectAsync();
        using var cancel = new CancellationTokenSource();
        await using var command = new NpgsqlCommand($"SELECT c.page, u.name FROM {clicks} c LEFT JOIN {users} u ON c.user_id = u.id EMIT CHANGES", reader);
        var pending = command.ExecuteReaderAsync(cancel.Token);

        // Each click is written after its user's row was (re)written: the join sees that row, or one written later.
        for (var i = 0; i < 20; i++)
        {
            await writer.ExecuteAsync($"INSERT INTO {users} VALUES ('u{i % 3}', 'v{i}')");
            await writer.ExecuteAsync($"INSERT INTO {clicks} VALUES ('u{i % 3}', '/p{i}')");
        }

        await using var rows = await pending.WaitAsync(Timeout);
        var seen = new Dictionary<int, int>();
        while (seen.Count < 20)
        {
            Assert.True(await rows.ReadAsync(cancel.Token).WaitAsync(Timeout));
            Assert.False(rows.IsDBNull(1), $"click {rows.GetString(0)} found no user row");
            seen.Add(int.Parse(rows.GetString(0)[2..], System.Globalization.CultureInfo.InvariantCulture), int.Parse(rows.GetString(1)[1..], System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var (click, version) in seen)
        {
            Assert.True(version >= click && version % 3 == click % 3, $"click {click} saw user version {version}");
        }

        // A CancelRequest ends the push query (57014), so the reader can be disposed.
        command.Cancel();
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            while (await rows.ReadAsync().WaitAsync(Timeout))
            {
            }
        });
        Assert.True(error is OperationCanceledException || error is PostgresException { SqlState: "57014" } || error.InnerException is PostgresException { SqlState: "57014" }, error.ToString());
    }
}
