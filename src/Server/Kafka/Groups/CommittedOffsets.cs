using System.Text;
using System.Text.Json;
using Serilog;
using StreamSql.Runtime.Topics;

namespace StreamSql.Server.Kafka.Groups;

/// <summary>Committed consumer-group offsets: in memory for OffsetFetch, persisted in the internal topic _streamsql_consumer_offsets and reloaded at start.</summary>
/// <remarks>Each commit appends one record per partition (key "group/topic/partition", JSON value); the latest record wins. The topic is not compacted yet.</remarks>
internal sealed class CommittedOffsets
{
    public const string TopicName = "_streamsql_consumer_offsets";
    private static readonly ILogger Log = Serilog.Log.ForContext<CommittedOffsets>();
    private readonly Dictionary<(string Group, string Topic, int Partition), CommittedOffset> _offsets = [];
    private readonly ITopicLog _topic;

    public CommittedOffsets(ITopicStore topics)
    {
        _topic = topics.GetOrCreate(TopicName, 1);
        var end = _topic.EndOffset(0);
        var records = new List<TopicRecord>();
        using (var reader = _topic.OpenReader(0, 0))
        {
            while (reader.Position < end && reader.TryRead(records, 1024) > 0)
            {
            }
        }

        foreach (var record in records)
        {
            try
            {
                if (record.Value is not null && JsonSerializer.Deserialize<CommittedOffset>(record.Value) is { } offset)
                {
                    _offsets[(offset.Group, offset.Topic, offset.Partition)] = offset;
                }
            }
            catch (JsonException e)
            {
                Log.Warning("Skipping unreadable committed offset at {Offset}: {Reason}", record.Offset, e.Message);
            }
        }

        Log.Information("Loaded {Count} committed consumer offsets", _offsets.Count);
    }

    public CommittedOffset? Find(string group, string topic, int partition)
    {
        lock (_offsets)
        {
            return _offsets.GetValueOrDefault((group, topic, partition));
        }
    }

    public IReadOnlyList<CommittedOffset> ForGroup(string group)
    {
        lock (_offsets)
        {
            return _offsets.Values.Where(o => o.Group == group).OrderBy(o => o.Topic, StringComparer.Ordinal).ThenBy(o => o.Partition).ToList();
        }
    }

    /// <summary>Makes the commits durable, then visible to OffsetFetch.</summary>
    public async Task CommitAsync(IReadOnlyList<CommittedOffset> commits, CancellationToken cancellationToken)
    {
        if (commits.Count == 0)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var records = new List<ProducedRecord>(commits.Count);
        foreach (var commit in commits)
        {
            records.Add(new ProducedRecord(Encoding.UTF8.GetBytes($"{commit.Group}/{commit.Topic}/{commit.Partition}"), JsonSerializer.SerializeToUtf8Bytes(commit), now));
        }

        await _topic.AppendAsync(0, records, cancellationToken).ConfigureAwait(false);
        lock (_offsets)
        {
            foreach (var commit in commits)
            {
                _offsets[(commit.Group, commit.Topic, commit.Partition)] = commit;
            }
        }
    }
}
