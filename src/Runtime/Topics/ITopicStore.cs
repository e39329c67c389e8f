namespace StreamSql.Runtime.Topics;

/// <summary>The set of topics: embedded (FasterLog in the data directory) or, later, a Kafka cluster.</summary>
public interface ITopicStore : IDisposable
{
    ITopicLog? Find(string name);

    /// <summary>Returns the topic, creating it with the given partition count when absent.</summary>
    ITopicLog GetOrCreate(string name, int partitions);

    IReadOnlyList<ITopicLog> List();

    void Delete(string name);

    /// <summary>
    /// Transactional output for a persistent query, where the store supports transactions (Kafka mode); null for embedded
    /// topics, whose queries use output intents and read-committed fences instead.
    /// </summary>
    ITransactionalOutput? OpenTransactionalOutput(string queryId) => null;
}
