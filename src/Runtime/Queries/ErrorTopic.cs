using System.Text.Json;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Queries;

/// <summary>The internal topic persistent queries write records they cannot deserialize to: one JSON record per bad input, keyed by query id.</summary>
/// <remarks>
/// Value fields: query_id, source_topic, partition, offset, timestamp (ms), reason, key and value (the original bytes as base64, null when absent).
/// The topic has one partition and is created on the first bad record.
/// </remarks>
public sealed class ErrorTopic
{
    private readonly ITopicStore _topics;
    private readonly object _gate = new();
    private ITopicLog? _topic;

    public ErrorTopic(ITopicStore topics, string name)
    {
        _topics = topics;
        Name = name;
    }

    public string Name { get; }

    public async ValueTask WriteAsync(string queryId, string sourceTopic, int partition, IReadOnlyList<(TopicRecord Record, string Reason)> bad, CancellationToken cancellationToken)
    {
        if (bad.Count == 0)
        {
            return;
        }

        var key = System.Text.Encoding.UTF8.GetBytes(queryId);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var records = new ProducedRecord[bad.Count];
        for (var i = 0; i < bad.Count; i++)
        {
            var (record, reason) = bad[i];
            var value = JsonSerializer.SerializeToUtf8Bytes(new BadRecord(queryId, sourceTopic, partition, record.Offset, record.Timestamp, reason,
                record.Key is null ? null : Convert.ToBase64String(record.Key), record.Value is null ? null : Convert.ToBase64String(record.Value)));
            records[i] = new ProducedRecord(key, value, now);
        }

        await Topic().AppendAsync(0, records, cancellationToken).ConfigureAwait(false);
    }

    private ITopicLog Topic()
    {
        lock (_gate)
        {
            return _topic ??= _topics.GetOrCreate(Name, 1);
        }
    }

    private sealed record BadRecord(
        [property: System.Text.Json.Serialization.JsonPropertyName("query_id")] string QueryId,
        [property: System.Text.Json.Serialization.JsonPropertyName("source_topic")] string SourceTopic,
        [property: System.Text.Json.Serialization.JsonPropertyName("partition")] int Partition,
        [property: System.Text.Json.Serialization.JsonPropertyName("offset")] long Offset,
        [property: System.Text.Json.Serialization.JsonPropertyName("timestamp")] long Timestamp,
        [property: System.Text.Json.Serialization.JsonPropertyName("reason")] string Reason,
        [property: System.Text.Json.Serialization.JsonPropertyName("key")] string? Key,
        [property: System.Text.Json.Serialization.JsonPropertyName("value")] string? Value);
}
