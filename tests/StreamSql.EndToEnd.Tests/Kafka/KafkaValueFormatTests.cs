using Confluent.Kafka;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>value_format 'KAFKA' interoperates with Kafka's own primitive serializers (Confluent.Kafka's Serializers.Int64 / Utf8).</summary>
[Collection(KafkaServerCollection.Name)]
public sealed class KafkaValueFormatTests(KafkaServerFixture fixture)
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task PrimitiveValuesProducedByConfluentKafkaAreReadBySql()
    {
        var stream = Sql.Unique("kvf");
        await using var connection = await _server.ConnectAsync();
        await connection.ExecuteAsync($"CREATE STREAM {stream} (user_id VARCHAR KEY, clicks BIGINT) WITH (kafka_topic='{stream}', value_format='KAFKA', partitions=1)");

        using (var producer = new ProducerBuilder<string, long>(new ProducerConfig { BootstrapServers = _server.KafkaBootstrap })
                   .SetKeySerializer(Serializers.Utf8).SetValueSerializer(Serializers.Int64).Build())
        {
            await producer.ProduceAsync(stream, new Message<string, long> { Key = "u1", Value = 41 });
            await producer.ProduceAsync(stream, new Message<string, long> { Key = "u2", Value = long.MaxValue });
        }

        Assert.Equal(["u1|42", $"u2|{long.MaxValue}"], (await connection.RowsAsync($"SELECT user_id, CASE WHEN clicks < 100 THEN clicks + 1 ELSE clicks END FROM {stream}")).Order());

        // And what SQL writes reads back with Kafka's deserializer.
        await connection.ExecuteAsync($"INSERT INTO {stream} VALUES ('u3', 7)");
        using var consumer = new ConsumerBuilder<string, long>(new ConsumerConfig { BootstrapServers = _server.KafkaBootstrap, GroupId = Sql.Unique("g"), AutoOffsetReset = AutoOffsetReset.Earliest })
            .SetKeyDeserializer(Deserializers.Utf8).SetValueDeserializer(Deserializers.Int64).Build();
        consumer.Assign(new TopicPartitionOffset(stream, 0, 2));
        var record = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.NotNull(record);
        Assert.Equal(("u3", 7L), (record.Message.Key, record.Message.Value));
    }
}
