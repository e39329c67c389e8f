using StreamSql.Runtime.State;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// The net effect of a batch of changelog records: a reader that keeps the current row per record key (an aggregation
/// over a table) needs only each key's last record of the batch, because every earlier one is set and replaced within
/// the batch. Retracting the row current before the batch and applying the last one gives the same state as applying all
/// of them (Materialize's and RisingWave's consolidation, Kafka Streams' record cache).
/// </summary>
public sealed class LatestRecordPerKey
{
    private readonly Dictionary<byte[], int> _last = new(ByteArrayComparer.Instance);

    /// <summary>Notes, per key, the index of its last record in <paramref name="records"/>.</summary>
    public void Mark(List<TopicRecord> records)
    {
        _last.Clear();
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i].Key is { } key)
            {
                _last[key] = i;
            }
        }
    }

    /// <summary>True when the record at index is its key's last in the marked batch (or has no key: it is reported, not skipped).</summary>
    public bool IsLatest(List<TopicRecord> records, int index) => records[index].Key is not { } key || _last[key] == index;
}
