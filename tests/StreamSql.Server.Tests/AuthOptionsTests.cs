using StreamSql.Server.Pg;

namespace StreamSql.Server.Tests;

/// <summary>The authentication and TLS flags and their environment variables.</summary>
public sealed class AuthOptionsTests
{
    [Fact]
    public void AuthUsersAndTlsComeFromFlagsAndEnvironment()
    {
        var environment = new Dictionary<string, string> { ["STREAMSQL_USERS"] = "env:one, other:two:three", ["STREAMSQL_AUTH"] = "password" };

        var options = ServerOptions.Parse(["--auth", "scram-sha-256", "--user", "alice:a:b", "--tls-cert=c.pem", "--tls-key", "k.pem"], environment.GetValueOrDefault);

        Assert.Equal(PgAuthMethod.Scram, options.Auth);
        Assert.Equal([("env", "one"), ("other", "two:three"), ("alice", "a:b")], options.Users);
        Assert.Equal(("c.pem", "k.pem"), (options.TlsCertificate, options.TlsKey));
        Assert.Equal(PgAuthMethod.Trust, ServerOptions.Parse([], _ => null).Auth);
    }

    [Theory]
    [InlineData("--auth", "md5", "--auth: unknown method \"md5\" (trust, password or scram)")]
    [InlineData("--user", "nocolon", "--user: expected name:password, not \"nocolon\"")]
    [InlineData("--tls-cert", "c.pem", "--tls-cert and --tls-key go together")]
    public void BadValuesAreRejectedByName(string flag, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ServerOptions.Parse([flag, value], _ => null));

        Assert.Equal(message, error.Message);
    }
}
