using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Groups;

namespace StreamSql.Server.Kafka;

/// <summary>What every connection's handlers share: the topic store, the group coordinator, idempotent-producer state and a catalog look-up.</summary>
internal sealed class KafkaBroker(ITopicStore topics, GroupCoordinator groups, Func<string, string?> streamUsingTopic) : IDisposable
{
    public ITopicStore Topics { get; } = topics;

    public GroupCoordinator Groups { get; } = groups;

    public ProducerStates Producers { get; } = new();

    /// <summary>The name of a catalog stream whose topic this is, or null; such topics are not deleted through Kafka.</summary>
    public Func<string, string?> StreamUsingTopic { get; } = streamUsingTopic;

    public void Dispose() => Groups.Dispose();
}
