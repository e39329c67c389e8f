namespace StreamSql.EndToEnd.Tests;

/// <summary>One server shared by the tests of a collection; tests use their own stream names.</summary>
public sealed class SharedServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedServerCollection : ICollectionFixture<SharedServerFixture>
{
    public const string Name = "shared server";
}
