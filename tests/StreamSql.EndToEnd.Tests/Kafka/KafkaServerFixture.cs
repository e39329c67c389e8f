namespace StreamSql.EndToEnd.Tests.Kafka;

/// <summary>One server for the Kafka-protocol tests, apart from the SQL tests' server so the two collections run side by side.</summary>
public sealed class KafkaServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class KafkaServerCollection : ICollectionFixture<KafkaServerFixture>
{
    public const string Name = "kafka server";
}
