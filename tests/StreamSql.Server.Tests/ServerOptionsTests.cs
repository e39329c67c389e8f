namespace StreamSql.Server.Tests;

/// <summary>Kafka-mode flags: --kafka and --service-id from flags and the environment, and their validation.</summary>
public sealed class ServerOptionsTests
{
    [Fact]
    public void KafkaFlagWinsOverTheEnvironment()
    {
        var environment = new Dictionary<string, string> { ["STREAMSQL_KAFKA"] = "env:9092", ["STREAMSQL_SERVICE_ID"] = "blue" };
        var options = ServerOptions.Parse(["--kafka", "a:9092, b:9093"], name => environment.GetValueOrDefault(name));

        Assert.Equal("a:9092,b:9093", options.Kafka);
        Assert.Equal("blue", options.ServiceId);
        Assert.Equal("env:9092", ServerOptions.Parse([], name => environment.GetValueOrDefault(name)).Kafka);
        Assert.Null(ServerOptions.Parse([], _ => null).Kafka);
    }

    [Fact]
    public void FsyncPolicyFromFlagOrEnvironment()
    {
        Assert.True(ServerOptions.Parse([], _ => null).Fsync);
        Assert.False(ServerOptions.Parse(["--fsync", "never"], _ => null).Fsync);
        Assert.False(ServerOptions.Parse([], name => name == "STREAMSQL_FSYNC" ? "NEVER" : null).Fsync);
        Assert.True(ServerOptions.Parse(["--fsync=always"], name => name == "STREAMSQL_FSYNC" ? "never" : null).Fsync);
        Assert.Contains(("fsync", "never"), ServerOptions.Parse(["--fsync", "never"], _ => null).Properties());
    }

    [Theory]
    [InlineData("--fsync", "sometimes")]
    [InlineData("--kafka", "localhost")]
    [InlineData("--kafka", "host:99999")]
    [InlineData("--kafka", ",")]
    [InlineData("--service-id", "a/b")]
    public void RejectsBadValues(string flag, string value) =>
        Assert.Throws<ArgumentException>(() => ServerOptions.Parse([flag, value], _ => null));
}
