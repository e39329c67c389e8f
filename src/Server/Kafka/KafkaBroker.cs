using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Groups;
using StreamSql.Server.Kafka.Transactions;

namespace StreamSql.Server.Kafka;

/// <summary>What every connection's handlers share: the topic store, the group and transaction coordinators, idempotent-producer state and a catalog look-up.</summary>
internal sealed class KafkaBroker : IDisposable
{
    /// <param name="streamUsingTopic">Names the catalog stream that uses a topic, or null.</param>
    public KafkaBroker(ITopicStore topics, GroupCoordinator groups, Func<string, string?> streamUsingTopic)
    {
        Topics = topics;
        Groups = groups;
        StreamUsingTopic = streamUsingTopic;
        // Completes any transaction commit a stop interrupted before a client can read or write.
        Transactions = new TransactionCoordinator(topics, groups.Offsets, Producers);
    }

    public ITopicStore Topics { get; }

    public GroupCoordinator Groups { get; }

    public ProducerStates Producers { get; } = new();

    public TransactionCoordinator Transactions { get; }

    /// <summary>The name of a catalog stream whose topic this is, or null; such topics are not deleted through Kafka.</summary>
    public Func<string, string?> StreamUsingTopic { get; }

    public void Dispose()
    {
        Transactions.Dispose();
        Groups.Dispose();
    }
}
