namespace StreamSql.Runtime.Topics;

/// <summary>
/// A persistent query's output written in transactions together with the input offsets it came from (Kafka mode: the
/// transactional producer and the query's consumer group): each batch becomes visible with its offsets, or not at all.
/// Opening it fences an earlier instance of the same query and aborts its open transaction.
/// </summary>
public interface ITransactionalOutput : IDisposable
{
    /// <summary>The input offset committed with the last transaction for this topic partition, or null when none was.</summary>
    long? CommittedOffset(string topic, int partition);

    /// <summary>Appends the records and commits the input offsets in one transaction; throws (having aborted it) when it cannot.</summary>
    Task CommitAsync(IReadOnlyList<TransactionalRecord> records, IReadOnlyList<InputOffset> offsets, CancellationToken cancellationToken);
}

/// <summary>One output record of a transaction and where it goes.</summary>
public readonly record struct TransactionalRecord(string Topic, int Partition, ProducedRecord Record);

/// <summary>An input position committed with a transaction: the offset after the last record the batch covered.</summary>
public readonly record struct InputOffset(string Topic, int Partition, long Offset);
