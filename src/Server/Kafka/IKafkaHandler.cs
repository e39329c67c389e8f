namespace StreamSql.Server.Kafka;

/// <summary>Serves one Kafka API key over the range of versions it advertises in ApiVersions.</summary>
internal interface IKafkaHandler
{
    Protocol.ApiKey Key { get; }

    short MinVersion { get; }

    short MaxVersion { get; }

    /// <summary>The first flexible (KIP-482) version, or short.MaxValue when every served version is non-flexible.</summary>
    short FlexibleFrom => short.MaxValue;

    /// <summary>Reads the request body and writes the response body; returns false when no response is sent (Produce with acks=0).</summary>
    ValueTask<bool> HandleAsync(KafkaExchange exchange, CancellationToken cancellationToken);
}
