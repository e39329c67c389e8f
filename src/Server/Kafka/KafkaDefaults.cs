namespace StreamSql.Server.Kafka;

/// <summary>Fixed facts of the Kafka endpoint: StreamSql is a one-broker cluster, and what it does when a client does not say.</summary>
public static class KafkaDefaults
{
    /// <summary>Partitions of a topic created implicitly (Metadata auto-creation, e.g. `kcat -P` to a new topic) or with num_partitions -1.</summary>
    public const int AutoCreatePartitions = 1;

    /// <summary>The broker id of this server in Metadata and FindCoordinator; it leads every partition.</summary>
    public const int NodeId = 0;

    public const string ClusterId = "streamsql-embedded";

    /// <summary>Largest request accepted (Kafka's socket.request.max.bytes default); a larger declared length closes the connection.</summary>
    public const int MaxRequestBytes = 100 * 1024 * 1024;

    /// <summary>Most a transaction may buffer (keys, values and per-record overhead) before commit; a Produce beyond it gets RECORD_LIST_TOO_LARGE and the transaction must abort.</summary>
    public const long MaxTransactionBytes = 64L * 1024 * 1024;

    /// <summary>Longest transaction.timeout.ms accepted (Kafka's transaction.max.timeout.ms default); longer gets INVALID_TRANSACTION_TIMEOUT.</summary>
    public const int MaxTransactionTimeoutMs = 900_000;

    /// <summary>Longest a Fetch waits for min_bytes, whatever max_wait_ms asks.</summary>
    public const int MaxFetchWaitMs = 30_000;

    /// <summary>Topic names reserved for this server's own state; clients cannot create or delete them. A StreamSql in Kafka mode using this endpoint as its cluster names its internal topics _streamsql-&lt;service id&gt;-*, ordinary topics here.</summary>
    public const string InternalTopicPrefix = "_streamsql_";

    public static bool IsValidTopicName(string name)
    {
        if (name.Length is 0 or > 249 || name is "." or "..")
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
