using System.Text;
using System.Text.Json;
using StreamSql.Runtime.Topics;

namespace StreamSql.Runtime.Engine;

/// <summary>The catalog as a log: every accepted DDL statement, in order, in a single-partition internal topic replayed at start.</summary>
public sealed class CommandLog
{
    /// <summary>The topic name in embedded mode; see <see cref="EngineOptions.InternalTopic"/>.</summary>
    public const string TopicName = "_streamsql_command_log";
    private readonly ITopicLog _topic;

    public CommandLog(ITopicStore topics, string topicName = TopicName) => _topic = topics.GetOrCreate(topicName, 1);

    public string Topic => _topic.Name;

    public async Task AppendAsync(LoggedCommand command, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(command);
        await _topic.AppendAsync(0, [new ProducedRecord(null, bytes, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())], cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyList<LoggedCommand> ReadAll()
    {
        var end = _topic.EndOffset(0);
        var records = new List<TopicRecord>();
        using var reader = _topic.OpenReader(0, 0);
        while (reader.Position < end && reader.TryRead(records, 1024) > 0)
        {
        }

        var commands = new List<LoggedCommand>(records.Count);
        foreach (var record in records)
        {
            commands.Add(JsonSerializer.Deserialize<LoggedCommand>(record.Value)
                ?? throw new InvalidDataException($"corrupt command log entry at offset {record.Offset}: {Encoding.UTF8.GetString(record.Value ?? [])}"));
        }

        return commands;
    }
}
