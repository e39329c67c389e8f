namespace StreamSql.Server.Pg;

/// <summary>TLS negotiation (SSLRequest) and authentication of the startup user.</summary>
public sealed partial class PgConnection
{
    private async Task NegotiateTlsAsync()
    {
        // No certificate configured: 'N' tells the client to continue in plain text on this connection.
        await _stream.WriteAsync(new[] { (byte)'N' }, _serverStopping).ConfigureAwait(false);
    }

    private Task<bool> AuthenticateAsync() => Task.FromResult(true);
}
