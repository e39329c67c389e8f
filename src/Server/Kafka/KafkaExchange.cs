using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka;

/// <summary>One request being served: its header, the connection it came on, the body to read and the response body to write.</summary>
internal sealed class KafkaExchange(RequestHeader header, KafkaSession session, KafkaReader request, KafkaWriter response)
{
    public RequestHeader Header { get; } = header;

    public KafkaSession Session { get; } = session;

    public KafkaReader Request { get; } = request;

    public KafkaWriter Response { get; } = response;

    public short Version => Header.Version;

    public KafkaBroker Broker => Session.Broker;
}
