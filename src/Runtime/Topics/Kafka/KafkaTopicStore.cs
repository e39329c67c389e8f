using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Serilog;

namespace StreamSql.Runtime.Topics.Kafka;

/// <summary>Topics in an external Kafka cluster (Kafka mode): created, listed and deleted with the admin client, partition counts from metadata.</summary>
public sealed class KafkaTopicStore : ITopicStore
{
    private static readonly ILogger Log = Serilog.Log.ForContext<KafkaTopicStore>();
    private static readonly TimeSpan PropagationTimeout = TimeSpan.FromSeconds(30);
    private readonly object _gate = new();
    private readonly Dictionary<string, KafkaTopicLog> _topics = new(StringComparer.Ordinal);
    private readonly KafkaClients _clients;

    /// <summary>Connects to the cluster; throws <see cref="IOException"/> when no broker answers a metadata request in time.</summary>
    public KafkaTopicStore(string bootstrapServers)
    {
        BootstrapServers = bootstrapServers;
        _clients = new KafkaClients(bootstrapServers);
        try
        {
            var metadata = Metadata();
            Log.Information("Kafka mode: {Brokers} brokers at {Bootstrap}, {Topics} topics", metadata.Brokers.Count, bootstrapServers, metadata.Topics.Count);
        }
        catch (IOException)
        {
            _clients.Dispose();
            throw;
        }
    }

    public string BootstrapServers { get; }

    /// <summary>A transactional producer per query (transactional.id and consumer group = the id given).</summary>
    public ITransactionalOutput? OpenTransactionalOutput(string queryId) => new KafkaTransactionalOutput(BootstrapServers, queryId);

    public ITopicLog? Find(string name)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(name, out var known))
            {
                return known;
            }

            var topic = Metadata().Topics.Find(t => t.Topic == name && t.Error.Code == ErrorCode.NoError && t.Partitions.Count > 0);
            return topic is null ? null : Remember(topic);
        }
    }

    public ITopicLog GetOrCreate(string name, int partitions)
    {
        lock (_gate)
        {
            if (Find(name) is { } existing)
            {
                return existing;
            }

            try
            {
                _clients.Admin.CreateTopicsAsync(
                        [new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = -1 }],
                        new CreateTopicsOptions { RequestTimeout = KafkaClients.RequestTimeout, OperationTimeout = KafkaClients.RequestTimeout })
                    .GetAwaiter().GetResult();
                Log.Information("Created Kafka topic {Topic} with {Partitions} partitions", name, partitions);
            }
            catch (CreateTopicsException e) when (e.Results.TrueForAll(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
            {
                // Another client created it first; use it as it is.
            }
            catch (CreateTopicsException e)
            {
                throw new IOException($"cannot create Kafka topic {name}: {e.Results[0].Error.Reason}", e);
            }
            catch (KafkaException e)
            {
                throw new IOException($"cannot create Kafka topic {name}: {e.Error.Reason}", e);
            }

            // Creation is asynchronous on a real cluster: wait until metadata shows every partition with a leader.
            var deadline = DateTime.UtcNow + PropagationTimeout;
            while (true)
            {
                var topic = Metadata().Topics.Find(t => t.Topic == name && t.Error.Code == ErrorCode.NoError && t.Partitions.Count > 0 && t.Partitions.TrueForAll(p => p.Leader >= 0));
                if (topic is not null)
                {
                    return Remember(topic);
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new IOException($"Kafka topic {name} was created but did not appear in metadata within {PropagationTimeout.TotalSeconds:0}s");
                }

                Thread.Sleep(50);
            }
        }
    }

    public IReadOnlyList<ITopicLog> List()
    {
        lock (_gate)
        {
            var result = new List<ITopicLog>();
            foreach (var topic in Metadata().Topics)
            {
                // Kafka's own internal topics (__consumer_offsets, __transaction_state) are not StreamSql's to show.
                if (topic.Error.Code == ErrorCode.NoError && topic.Partitions.Count > 0 && !topic.Topic.StartsWith("__", StringComparison.Ordinal))
                {
                    result.Add(Remember(topic));
                }
            }

            result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return result;
        }
    }

    public void Delete(string name)
    {
        lock (_gate)
        {
            _topics.Remove(name);
            try
            {
                _clients.Admin.DeleteTopicsAsync([name], new DeleteTopicsOptions { RequestTimeout = KafkaClients.RequestTimeout, OperationTimeout = KafkaClients.RequestTimeout })
                    .GetAwaiter().GetResult();
                Log.Information("Deleted Kafka topic {Topic}", name);
            }
            catch (DeleteTopicsException e) when (e.Results.TrueForAll(r => r.Error.Code is ErrorCode.NoError or ErrorCode.UnknownTopicOrPart))
            {
                return;
            }
            catch (DeleteTopicsException e)
            {
                throw new IOException($"cannot delete Kafka topic {name}: {e.Results[0].Error.Reason}", e);
            }

            // Deletion is asynchronous too; a topic of the same name may be created right after (DROP then CREATE).
            var deadline = DateTime.UtcNow + PropagationTimeout;
            while (Metadata().Topics.Exists(t => t.Topic == name && t.Error.Code == ErrorCode.NoError) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _topics.Clear();
            _clients.Dispose();
        }
    }

    private KafkaTopicLog Remember(TopicMetadata topic)
    {
        if (_topics.TryGetValue(topic.Topic, out var known) && known.PartitionCount == topic.Partitions.Count)
        {
            return known;
        }

        var log = new KafkaTopicLog(topic.Topic, topic.Partitions.Count, _clients);
        _topics[topic.Topic] = log;
        return log;
    }

    private Metadata Metadata()
    {
        try
        {
            return _clients.Admin.GetMetadata(KafkaClients.RequestTimeout);
        }
        catch (KafkaException e)
        {
            throw new IOException($"Kafka cluster {BootstrapServers} did not answer a metadata request: {e.Error.Reason}", e);
        }
    }
}
