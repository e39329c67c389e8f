using Confluent.Kafka;
using Serilog;

namespace StreamSql.Runtime.Topics.Kafka;

/// <summary>
/// Kafka mode's exactly-once output for one persistent query: a transactional producer (transactional.id
/// streamsql-&lt;service&gt;-&lt;query&gt;) appends each batch's output and, with SendOffsetsToTransaction, commits the batch's input
/// offsets to the query's consumer group in the same transaction. Initializing the producer fences an earlier instance
/// (a process that was killed) and aborts its open transaction, so its partial output is never visible to read-committed
/// readers; the restarted query resumes from the group's committed offsets.
/// </summary>
internal sealed class KafkaTransactionalOutput : ITransactionalOutput
{
    private static readonly ILogger Log = Serilog.Log.ForContext<KafkaTransactionalOutput>();
    private readonly IProducer<byte[]?, byte[]?> _producer;

    // Never subscribes: it names the group for SendOffsetsToTransaction and reads the group's committed offsets.
    private readonly IConsumer<byte[]?, byte[]?> _group;
    private readonly string _id;

    public KafkaTransactionalOutput(string bootstrapServers, string transactionalId)
    {
        _id = transactionalId;
        _producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = transactionalId,
            TransactionalId = transactionalId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 1,
            TransactionTimeoutMs = 60_000,
            AllowAutoCreateTopics = false,
        })
            .SetLogHandler((_, m) => KafkaClientLogging.OnLog(m))
            .SetErrorHandler((_, e) => KafkaClientLogging.OnError(transactionalId, e))
            .Build();
        _group = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = transactionalId + "-offsets",
            GroupId = transactionalId,
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
        })
            .SetLogHandler((_, m) => KafkaClientLogging.OnLog(m))
            .SetErrorHandler((_, e) => KafkaClientLogging.OnError(transactionalId + "-offsets", e))
            .Build();
        try
        {
            _producer.InitTransactions(KafkaClients.RequestTimeout);
        }
        catch (KafkaException e)
        {
            Dispose();
            throw new IOException($"Kafka transactions for {transactionalId} could not start: {e.Error.Reason} (the cluster must support transactions)", e);
        }

        Log.Information("Transactional output {TransactionalId} ready", transactionalId);
    }

    public long? CommittedOffset(string topic, int partition)
    {
        var committed = _group.Committed([new TopicPartition(topic, new Partition(partition))], KafkaClients.RequestTimeout);
        return committed.Count == 1 && !committed[0].Offset.IsSpecial ? committed[0].Offset.Value : null;
    }

    public async Task CommitAsync(IReadOnlyList<TransactionalRecord> records, IReadOnlyList<InputOffset> offsets, CancellationToken cancellationToken)
    {
        _producer.BeginTransaction();
        try
        {
            var deliveries = new Task<DeliveryResult<byte[]?, byte[]?>>[records.Count];
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                deliveries[i] = _producer.ProduceAsync(new TopicPartition(record.Topic, new Partition(record.Partition)), KafkaTopicLog.ToMessage(record.Record), cancellationToken);
            }

            await Task.WhenAll(deliveries).ConfigureAwait(false);
            var positions = new List<TopicPartitionOffset>(offsets.Count);
            foreach (var offset in offsets)
            {
                positions.Add(new TopicPartitionOffset(offset.Topic, new Partition(offset.Partition), new Offset(offset.Offset)));
            }

            _producer.SendOffsetsToTransaction(positions, _group.ConsumerGroupMetadata, KafkaClients.RequestTimeout);
            _producer.CommitTransaction(KafkaClients.RequestTimeout);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            try
            {
                _producer.AbortTransaction(KafkaClients.RequestTimeout);
            }
            catch (KafkaException abort)
            {
                Log.Warning(abort, "Transactional output {TransactionalId} could not abort its transaction", _id);
            }

            if (e is OperationCanceledException)
            {
                throw;
            }

            throw new IOException($"Kafka transaction of {_id} failed: {((KafkaException)e).Error.Reason}", e);
        }
    }

    public void Dispose()
    {
        _producer.Dispose();
        _group.Dispose();
    }
}
