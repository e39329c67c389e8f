using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka.Handlers;

/// <summary>ApiVersions (key 18, v0-v3): lists every API key and version range this endpoint serves; v3 is flexible.</summary>
internal sealed class ApiVersionsHandler(Func<IReadOnlyList<IKafkaHandler>> handlers) : IKafkaHandler
{
    public ApiKey Key => ApiKey.ApiVersions;

    public short MinVersion => 0;

    public short MaxVersion => 3;

    public short FlexibleFrom => 3;

    public ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        if (exchange.Version >= 3)
        {
            request.NullableString();
            request.NullableString();
            request.TaggedFields();
        }

        WriteBody(exchange.Response, exchange.Version, ErrorCode.None, handlers());
        return ValueTask.FromResult(true);
    }

    /// <summary>The body for any version; the connection also uses it for the v0 UNSUPPORTED_VERSION fallback.</summary>
    public static void WriteBody(KafkaWriter response, short version, short error, IReadOnlyList<IKafkaHandler> handlers)
    {
        response.Int16(error);
        response.ArrayLength(handlers.Count);
        foreach (var handler in handlers)
        {
            response.Int16((short)handler.Key);
            response.Int16(handler.MinVersion);
            response.Int16(handler.MaxVersion);
            response.TaggedFields();
        }

        if (version >= 1)
        {
            response.Int32(0);
        }

        response.TaggedFields();
    }
}
