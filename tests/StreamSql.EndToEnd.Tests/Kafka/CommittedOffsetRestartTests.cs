using Confluent.Kafka;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>Consumer-group offsets committed through the Kafka endpoint survive a server restart.</summary>
public sealed class CommittedOffsetRestartTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static ConsumerConfig Config(TestServer server) => new()
    {
        BootstrapServers = server.KafkaBootstrap,
        GroupId = "restart-group",
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 300,
    };

    private static ConsumeResult<Ignore, string> ConsumeOne(IConsumer<Ignore, string> consumer)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } result)
            {
                return result;
            }
        }

        throw new TimeoutException("no record consumed");
    }

    [Fact]
    public async Task AGroupResumesFromItsCommittedOffsetAfterARestart()
    {
        await using var server = await TestServer.StartAsync();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = server.KafkaBootstrap }).Build())
        {
            for (var i = 0; i < 5; i++)
            {
                await producer.ProduceAsync("resumed", new Message<Null, string> { Value = $"v{i}" }).WaitAsync(Timeout);
            }
        }

        using (var consumer = new ConsumerBuilder<Ignore, string>(Config(server)).Build())
        {
            consumer.Subscribe("resumed");
            ConsumeOne(consumer);
            ConsumeOne(consumer);
            var third = ConsumeOne(consumer);
            Assert.Equal("v2", third.Message.Value);
            consumer.Commit(third);
            consumer.Close();
        }

        await server.RestartAsync();

        using var resumed = new ConsumerBuilder<Ignore, string>(Config(server)).Build();
        resumed.Subscribe("resumed");
        var next = ConsumeOne(resumed);
        Assert.Equal(("v3", 3L), (next.Message.Value, next.Offset.Value));
        Assert.Equal(3, resumed.Committed([new TopicPartition("resumed", 0)], Timeout).Single().Offset.Value);
        resumed.Close();
    }
}
