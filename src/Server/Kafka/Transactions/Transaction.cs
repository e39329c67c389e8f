using StreamSql.Runtime.Topics;
using StreamSql.Server.Kafka.Groups;

namespace StreamSql.Server.Kafka.Transactions;

/// <summary>A transactional id's producer id, epoch and open transaction: the added partitions and groups, and the buffered records and offsets.</summary>
/// <remarks>Guarded by the coordinator's lock.</remarks>
internal sealed class Transaction(string transactionalId, long producerId)
{
    public string TransactionalId { get; } = transactionalId;

    public long ProducerId { get; set; } = producerId;

    public short Epoch { get; set; }

    public int TimeoutMs { get; set; }

    public TransactionState State { get; set; }

    /// <summary>Environment.TickCount64 when the open transaction began (its first AddPartitionsToTxn or AddOffsetsToTxn).</summary>
    public long StartedAt { get; set; }

    /// <summary>The outcome of the last transaction that ended (true: committed), so a retried EndTxn gets the same answer; null after an init.</summary>
    public bool? LastOutcome { get; set; }

    public HashSet<(string Topic, int Partition)> Partitions { get; } = [];

    public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Buffered records per partition, in produce order; partitions in the order they were first written.</summary>
    public List<(string Topic, int Partition, List<ProducedRecord> Records)> Records { get; } = [];

    public Dictionary<(string Group, string Topic, int Partition), CommittedOffset> Offsets { get; } = [];

    public long BufferedBytes { get; set; }

    public List<ProducedRecord> RecordsOf(string topic, int partition)
    {
        foreach (var entry in Records)
        {
            if (entry.Partition == partition && entry.Topic == topic)
            {
                return entry.Records;
            }
        }

        var records = new List<ProducedRecord>();
        Records.Add((topic, partition, records));
        return records;
    }

    /// <summary>Forgets the open transaction (after its commit, or to abort it).</summary>
    public void Clear(bool? outcome)
    {
        State = TransactionState.Empty;
        Partitions.Clear();
        Groups.Clear();
        Records.Clear();
        Offsets.Clear();
        BufferedBytes = 0;
        LastOutcome = outcome;
    }
}
