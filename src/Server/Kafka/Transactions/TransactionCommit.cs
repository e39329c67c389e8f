using StreamSql.Server.Kafka.Groups;

namespace StreamSql.Server.Kafka.Transactions;

/// <summary>
/// The durable description of a committing transaction (JSON in the transactions topic). Its records are the
/// sum of the partitions' counts records just before it in that topic, in partition order.
/// </summary>
internal sealed record TransactionCommit(
    string Id,
    string TransactionalId,
    long ProducerId,
    short Epoch,
    IReadOnlyList<TransactionPartition> Partitions,
    IReadOnlyList<CommittedOffset> Offsets)
{
    public int RecordCount => Partitions.Sum(p => p.Count);
}
