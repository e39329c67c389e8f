using Confluent.Kafka;

namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>A committed multi-megabyte transaction survives a restart whole; a transaction open at the restart never appears.</summary>
public sealed class KafkaTransactionRestartTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ACommittedTransactionSurvivesARestartAndAnOpenOneIsLost()
    {
        const int count = 3000;
        await using var server = await TestServer.StartAsync();
        var topic = Sql.Unique("txn_restart");
        var payload = new string('x', 2000);
        using (var committed = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = server.KafkaBootstrap, TransactionalId = "restart-committed" }).Build())
        {
            committed.InitTransactions(Timeout);
            committed.BeginTransaction();
            for (var i = 0; i < count; i++)
            {
                committed.Produce(topic, new Message<string, string> { Key = $"k{i}", Value = $"{i}:{payload}" });
            }

            committed.CommitTransaction(Timeout);
        }

        // Its records reach the broker; the producer goes away without ending the transaction, then the server restarts.
        using (var open = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = server.KafkaBootstrap, TransactionalId = "restart-open" }).Build())
        {
            open.InitTransactions(Timeout);
            open.BeginTransaction();
            for (var i = 0; i < 5; i++)
            {
                open.Produce(topic, new Message<string, string> { Key = $"open{i}", Value = "lost" });
            }

            Assert.Equal(0, open.Flush(Timeout));
        }

        await server.RestartAsync();

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = server.KafkaBootstrap,
            GroupId = Sql.Unique("txn-restart-reader"),
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow + Timeout;
        while (values.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {values.Count} of {count} records consumed");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                values.Add(result.Message.Value);
            }
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{i}:{payload}"), values);
        Assert.Equal(count, consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), Timeout).High.Value);
        consumer.Close();
    }
}
