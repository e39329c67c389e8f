namespace StreamSql.Server.Kafka.Transactions;

/// <summary>One partition of a committed transaction in its durable commit record: the log end offset before the append and how many records follow.</summary>
internal sealed record TransactionPartition(string Topic, int Partition, long StartOffset, int Count);
