namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>Server A (embedded topics, Kafka endpoint) and server B in Kafka mode against A's endpoint, each with its own data directory.</summary>
public sealed class KafkaModeFixture : IAsyncLifetime
{
    public TestServer Cluster { get; private set; } = null!;

    public TestServer KafkaMode { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestServer.StartAsync();
        KafkaMode = await TestServer.StartAsync(kafka: Cluster.KafkaBootstrap);
    }

    public async Task DisposeAsync()
    {
        await KafkaMode.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
