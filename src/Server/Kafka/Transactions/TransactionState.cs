namespace StreamSql.Server.Kafka.Transactions;

/// <summary>Where a transactional id's current transaction is.</summary>
internal enum TransactionState
{
    /// <summary>No open transaction: nothing added since the last init, commit or abort.</summary>
    Empty,

    /// <summary>Partitions or a group were added; records and offsets are buffered.</summary>
    Ongoing,

    /// <summary>EndTxn(commit) is writing the transaction out; other requests for it wait (CONCURRENT_TRANSACTIONS).</summary>
    Committing,
}
