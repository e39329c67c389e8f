namespace StreamSql.EndToEnd.Tests;

/// <summary>The catalog and persistent queries survive a restart, and resume without duplicating output.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task StreamsAndQueriesSurviveARestartWithoutDuplicates()
    {
        await using var server = await TestServer.StartAsync();
        await using (var connection = await server.ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE STREAM orders (id INT KEY, item VARCHAR, amount DOUBLE) WITH (kafka_topic='orders', value_format='JSON', partitions=2)");
            await connection.ExecuteAsync("INSERT INTO orders (id, item, amount) VALUES (1, 'apple', 0.5), (2, 'pear', 1.5), (3, 'fig', 2.5)");
            await connection.ExecuteAsync("CREATE STREAM big_orders AS SELECT id, UCASE(item) AS item FROM orders WHERE amount > 1 EMIT CHANGES");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["2|PEAR", "3|FIG"], (await connection.RowsAsync("SELECT * FROM big_orders")).Order());
        }

        await server.RestartAsync();

        await using (var connection = await server.ConnectAsync())
        {
            Assert.Equal(["big_orders", "orders"], (await connection.RowsAsync("SHOW STREAMS")).Select(r => r.Split('|')[0]));
            Assert.Equal(["csas_big_orders_1|RUNNING|big_orders"], (await connection.RowsAsync("SHOW QUERIES")).Select(r => string.Join('|', r.Split('|')[..3])));
            Assert.Equal(["2|PEAR", "3|FIG"], (await connection.RowsAsync("SELECT * FROM big_orders EMIT CHANGES LIMIT 2")).Order());

            // The resumed query processes only new input: exactly one more output row.
            await connection.ExecuteAsync("INSERT INTO orders VALUES (4, 'kiwi', 9)");
            await connection.ExecuteAsync("FLUSH");
            Assert.Equal(["2|PEAR", "3|FIG", "4|KIWI"], (await connection.RowsAsync("SELECT * FROM big_orders")).Order());

            await connection.ExecuteAsync("TERMINATE csas_big_orders_1");
            await connection.ExecuteAsync("DROP STREAM big_orders DELETE TOPIC");
        }

        await server.RestartAsync();

        await using (var connection = await server.ConnectAsync())
        {
            Assert.Equal(["orders"], (await connection.RowsAsync("SHOW STREAMS")).Select(r => r.Split('|')[0]));
            Assert.Empty(await connection.RowsAsync("SHOW QUERIES"));
            Assert.DoesNotContain("big_orders", (await connection.RowsAsync("SHOW TOPICS")).Select(r => r.Split('|')[0]));
            Assert.Equal(4, (await connection.RowsAsync("SELECT * FROM orders")).Count);
        }
    }
}
