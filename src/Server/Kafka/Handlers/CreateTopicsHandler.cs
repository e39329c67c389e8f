using Serilog;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>CreateTopics (key 19, v0-v4): creates embedded topics; replication factor must be 1 or -1, configs are accepted and ignored.</summary>
internal sealed class CreateTopicsHandler : IKafkaHandler
{
    private static readonly ILogger Log = Serilog.Log.ForContext<CreateTopicsHandler>();

    public ApiKey Key => ApiKey.CreateTopics;

    public short MinVersion => 0;

    public short MaxVersion => 4;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var version = exchange.Version;
        var count = request.ArrayLength();
        var asks = new List<(string Name, int Partitions, short Replication, int Assignments)>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            var name = request.String();
            var partitions = request.Int32();
            var replication = request.Int16();
            var assignments = request.ArrayLength();
            for (var a = 0; a < assignments; a++)
            {
                request.Int32();
                request.Int32Array();
            }

            var configs = request.ArrayLength();
            for (var c = 0; c < configs; c++)
            {
                request.String();
                request.NullableString();
            }

            asks.Add((name, partitions, replication, assignments));
        }

        request.Int32();
        var validateOnly = version >= 1 && request.Bool();

        var response = exchange.Response;
        if (version >= 2)
        {
            response.Int32(0);
        }

        response.ArrayLength(asks.Count);
        foreach (var ask in asks)
        {
            var (error, message) = Create(exchange.Broker, ask.Name, ask.Partitions, ask.Replication, ask.Assignments, validateOnly);
            response.String(ask.Name);
            response.Int16(error);
            if (version >= 1)
            {
                response.NullableString(message);
            }
        }

        return ValueTask.FromResult(true);
    }

    private static (short Error, string? Message) Create(KafkaBroker broker, string name, int partitions, short replication, int assignments, bool validateOnly)
    {
        if (!KafkaDefaults.IsValidTopicName(name) || name.StartsWith(KafkaDefaults.InternalTopicPrefix, StringComparison.Ordinal))
        {
            return (ErrorCode.InvalidTopic, $"topic name \"{name}\" is not valid (letters, digits, '.', '_', '-'; not starting with {KafkaDefaults.InternalTopicPrefix})");
        }

        if (assignments > 0)
        {
            return (ErrorCode.InvalidRequest, "manual replica assignment is not supported: StreamSql is a single broker");
        }

        if (partitions == -1)
        {
            partitions = KafkaDefaults.AutoCreatePartitions;
        }

        if (partitions is <= 0 or > 10_000)
        {
            return (ErrorCode.InvalidPartitions, $"number of partitions must be between 1 and 10000, not {partitions}");
        }

        if (replication is not (1 or -1))
        {
            return (ErrorCode.InvalidReplicationFactor, $"replication factor {replication} is larger than the 1 available broker");
        }

        if (broker.Topics.Find(name) is not null)
        {
            return (ErrorCode.TopicAlreadyExists, $"topic \"{name}\" already exists");
        }

        if (!validateOnly)
        {
            broker.Topics.GetOrCreate(name, partitions);
            Log.Information("Topic {Topic} created through the Kafka endpoint with {Partitions} partitions", name, partitions);
        }

        return (ErrorCode.None, null);
    }
}
