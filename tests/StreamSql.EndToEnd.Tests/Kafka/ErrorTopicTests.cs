using System.Text;
using System.Text.Json;
using Confluent.Kafka;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>A persistent query writes records it cannot deserialize to _streamsql_errors with the reason and the original bytes, and keeps going.</summary>
[Collection(KafkaServerCollection.Name)]
public sealed class ErrorTopicTests(KafkaServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task BadJsonGoesToTheErrorTopic()
    {
        var source = Sql.Unique("err_src");
        var sink = Sql.Unique("err_sink");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {source} (id INT KEY, item VARCHAR) WITH (kafka_topic='{source}', value_format='JSON', partitions=1)");
        await connection.ExecuteAsync($"CREATE STREAM {sink} AS SELECT id, item FROM {source} EMIT CHANGES");
        var queryId = Assert.Single(await connection.RowsAsync("SHOW QUERIES"), r => r.Split('|')[2] == sink).Split('|')[0];

        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = _server.KafkaBootstrap }).Build())
        {
            await producer.ProduceAsync(source, new Message<byte[], byte[]> { Key = [0, 0, 0, 1], Value = "{\"item\":\"good\"}"u8.ToArray() });
            await producer.ProduceAsync(source, new Message<byte[], byte[]> { Key = [0, 0, 0, 2], Value = "{\"item\": not json"u8.ToArray() });
            await producer.ProduceAsync(source, new Message<byte[], byte[]> { Key = [0, 0, 0, 3], Value = "{\"item\":\"also good\"}"u8.ToArray() });
        }

        await connection.ExecuteAsync("FLUSH");
        Assert.Equal(["1|good", "3|also good"], (await connection.RowsAsync($"SELECT * FROM {sink}")).Order());

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = _server.KafkaBootstrap, GroupId = Sql.Unique("err_reader"), EnableAutoCommit = false }).Build();
        consumer.Assign(new TopicPartitionOffset("_streamsql_errors", 0, Offset.Beginning));
        JsonElement? error = null;
        var deadline = DateTime.UtcNow + Timeout;
        while (error is null && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is not null && result.Message.Key == queryId)
            {
                error = JsonDocument.Parse(result.Message.Value).RootElement;
            }
        }

        Assert.True(error.HasValue, $"no record for {queryId} in _streamsql_errors within {Timeout.TotalSeconds:0}s");
        var e = error.Value;
        Assert.Equal(queryId, e.GetProperty("query_id").GetString());
        Assert.Equal(source, e.GetProperty("source_topic").GetString());
        Assert.Equal(0, e.GetProperty("partition").GetInt32());
        Assert.Equal(1, e.GetProperty("offset").GetInt64());
        Assert.False(string.IsNullOrEmpty(e.GetProperty("reason").GetString()));
        Assert.Equal("{\"item\": not json", Encoding.UTF8.GetString(Convert.FromBase64String(e.GetProperty("value").GetString()!)));
        Assert.Equal([0, 0, 0, 2], Convert.FromBase64String(e.GetProperty("key").GetString()!));

        await connection.ExecuteAsync($"TERMINATE {queryId}");
        await connection.ExecuteAsync($"DROP STREAM {sink} DELETE TOPIC");
        await connection.ExecuteAsync($"DROP STREAM {source} DELETE TOPIC");
    }
}
