using Serilog;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>DeleteTopics (key 20, v0-v3): deletes embedded topics, except StreamSql's internal ones and topics a stream still reads or writes.</summary>
internal sealed class DeleteTopicsHandler : IKafkaHandler
{
    private static readonly ILogger Log = Serilog.Log.ForContext<DeleteTopicsHandler>();

    public ApiKey Key => ApiKey.DeleteTopics;

    public short MinVersion => 0;

    public short MaxVersion => 3;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var count = request.ArrayLength();
        var names = new List<string>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            names.Add(request.String());
        }

        request.Int32();
        var response = exchange.Response;
        if (exchange.Version >= 1)
        {
            response.Int32(0);
        }

        response.ArrayLength(names.Count);
        foreach (var name in names)
        {
            response.String(name);
            response.Int16(Delete(exchange.Broker, name));
        }

        return ValueTask.FromResult(true);
    }

    private static short Delete(KafkaBroker broker, string name)
    {
        if (broker.Topics.Find(name) is null)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }

        if (name.StartsWith(KafkaDefaults.InternalTopicPrefix, StringComparison.Ordinal))
        {
            return ErrorCode.PolicyViolation;
        }

        if (broker.StreamUsingTopic(name) is { } stream)
        {
            Log.Warning("Refused to delete topic {Topic}: stream {Stream} uses it (DROP STREAM {Stream} DELETE TOPIC removes both)", name, stream, stream);
            return ErrorCode.PolicyViolation;
        }

        broker.Topics.Delete(name);
        Log.Information("Topic {Topic} deleted through the Kafka endpoint", name);
        return ErrorCode.None;
    }
}
