using Confluent.Kafka;

namespace StreamSql.Runtime.Topics.Kafka;

/// <summary>The Confluent.Kafka clients one store shares: an admin client, an idempotent producer and an unassigned consumer for offset look-ups; readers get their own consumer.</summary>
internal sealed class KafkaClients : IDisposable
{
    /// <summary>How long a metadata, offset or admin request may take before the operation fails.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly string _bootstrapServers;

    public KafkaClients(string bootstrapServers)
    {
        _bootstrapServers = bootstrapServers;
        Admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers, ClientId = "streamsql-admin" })
            .SetLogHandler((_, m) => KafkaClientLogging.OnLog(m))
            .SetErrorHandler((_, e) => KafkaClientLogging.OnError("admin", e))
            .Build();
        Producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = "streamsql-producer",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 1,
            MessageTimeoutMs = 30_000,
            AllowAutoCreateTopics = false,
        })
            .SetLogHandler((_, m) => KafkaClientLogging.OnLog(m))
            .SetErrorHandler((_, e) => KafkaClientLogging.OnError("producer", e))
            .Build();
        Offsets = NewConsumer("streamsql-offsets");
    }

    public IAdminClient Admin { get; }

    public IProducer<byte[]?, byte[]?> Producer { get; }

    /// <summary>Never assigned: used only for watermark and timestamp look-ups, which are safe to call from any thread.</summary>
    public IConsumer<byte[]?, byte[]?> Offsets { get; }

    /// <summary>A consumer with no group and no commits: the engine assigns partitions by hand and keeps offsets itself.</summary>
    public IConsumer<byte[]?, byte[]?> NewConsumer(string clientId) =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = _bootstrapServers,
            ClientId = clientId,
            GroupId = "streamsql-assign-only", // required by Confluent.Kafka; never joined (Assign, no Subscribe) and never committed to
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = false,
            AllowAutoCreateTopics = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 100,
            QueuedMaxMessagesKbytes = 4096,
        })
            .SetLogHandler((_, m) => KafkaClientLogging.OnLog(m))
            .SetErrorHandler((_, e) => KafkaClientLogging.OnError(clientId, e))
            .Build();

    public void Dispose()
    {
        Producer.Flush(RequestTimeout);
        Producer.Dispose();
        Offsets.Dispose();
        Admin.Dispose();
    }
}
