using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Npgsql;
using StreamSql.Server.Pg;

namespace StreamSql.EndToEnd.Tests;

/// <summary>--tls-cert/--tls-key: SSLRequest is answered 'S' and the session runs over TLS (Npgsql and psql with sslmode=require).</summary>
public sealed class TlsTests
{
    /// <summary>Writes a fresh self-signed certificate and key for 127.0.0.1 as PEM files into directory.</summary>
    private static (string Certificate, string Key) WriteCertificate(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var certificatePath = Path.Combine(directory, "server.crt");
        var keyPath = Path.Combine(directory, "server.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    [Fact]
    public async Task ClientsRequiringTlsGetIt()
    {
        var directory = Directory.CreateTempSubdirectory("streamsql-tls-").FullName;
        try
        {
            var (certificate, key) = WriteCertificate(directory);
            await using var server = await TestServer.StartAsync(configure: o => o with
            {
                TlsCertificate = certificate, TlsKey = key, Auth = PgAuthMethod.Scram, Users = [("alice", "secret")],
            });

            var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString)
            {
                Username = "alice", Password = "secret", SslMode = SslMode.Require,
            };
            var s = Sql.Unique("tls");
            await using (var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString)
                .UseSslClientAuthenticationOptionsCallback(o => o.RemoteCertificateValidationCallback = (_, _, _, _) => true).Build())
            await using (var connection = await dataSource.OpenConnectionAsync())
            {
                await connection.ExecuteAsync($"CREATE STREAM {s} (id INT, v VARCHAR) WITH (partitions=1)");
                await using var insert = new NpgsqlCommand($"INSERT INTO {s} VALUES ($1, $2)", connection);
                insert.Parameters.Add(new NpgsqlParameter { Value = 1 });
                insert.Parameters.Add(new NpgsqlParameter { Value = new string('x', 100_000) });
                await insert.ExecuteNonQueryAsync();
                Assert.Equal([100_000], (await connection.RowsAsync($"SELECT length(v) FROM {s} EMIT CHANGES LIMIT 1")).Select(int.Parse));
            }

            var (exit, output, error) = await AuthenticationTests.RunPsqlAsync(server, "alice", "secret", "\\conninfo", sslMode: "require");
            Assert.True(exit == 0, error);
            Assert.Contains("SSL connection (protocol: TLSv1.", output);

            // node-postgres: its own SCRAM and TLS implementations.
            var (nodeExit, nodeOutput, nodeError) = await NodePostgresTests.RunAsync(server, "scram_tls.js", "secret");
            Assert.True(nodeExit == 0, nodeError);
            var seen = System.Text.Json.JsonDocument.Parse(nodeOutput).RootElement;
            Assert.Equal((42, true), (seen.GetProperty("right").GetProperty("answer").GetInt32(), seen.GetProperty("right").GetProperty("encrypted").GetBoolean()));
            Assert.Equal("28P01", seen.GetProperty("wrong").GetProperty("code").GetString());

            // A client that does not ask for TLS is still served in plain text.
            (exit, output, error) = await AuthenticationTests.RunPsqlAsync(server, "alice", "secret", "SHOW 'auto.offset.reset'");
            Assert.True(exit == 0, error);
            Assert.Contains("earliest", output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task WithoutACertificateSslRequestIsRefusedAndTheClientGoesOnInPlainText()
    {
        await using var server = await TestServer.StartAsync();
        var client = await RawPgClient.ConnectAsync(server);
        await client.SendAsync([0, 0, 0, 8, 4, 210, 22, 47]);

        var answer = await client.ReadByteAsync();
        await client.SendAsync(RawPgClient.StartupPacket(("user", "streamsql")));

        Assert.Equal((byte)'N', answer);
        Assert.Equal('Z', (await client.ReadUntilReadyAsync())[^1].Type);
        await client.DisposeAsync();

        var (exit, _, error) = await AuthenticationTests.RunPsqlAsync(server, "streamsql", "", "SELECT 1", sslMode: "require");
        Assert.Equal(2, exit);
        Assert.Contains("server does not support SSL", error);
    }
}
