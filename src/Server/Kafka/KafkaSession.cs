using System.Net;

namespace StreamSql.Server.Kafka;

/// <summary>Per-connection state: where the client reached us (the address we advertise back) and its open fetch cursors.</summary>
internal sealed class KafkaSession(KafkaBroker broker, string advertisedHost, int advertisedPort, EndPoint? remote) : IDisposable
{
    public KafkaBroker Broker { get; } = broker;

    public string AdvertisedHost { get; } = advertisedHost;

    public int AdvertisedPort { get; } = advertisedPort;

    public EndPoint? Remote { get; } = remote;

    public FetchCursors Cursors { get; } = new();

    public void Dispose() => Cursors.Dispose();
}
