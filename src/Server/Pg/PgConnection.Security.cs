using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using StreamSql.Parser.Errors;

namespace StreamSql.Server.Pg;

/// <summary>TLS negotiation (SSLRequest) and authentication of the startup user: trust, cleartext password, or SCRAM-SHA-256 (RFC 5802/7677).</summary>
public sealed partial class PgConnection
{
    private const int AuthCleartextPassword = 3;
    private const int AuthSasl = 10;
    private const int AuthSaslContinue = 11;
    private const int AuthSaslFinal = 12;
    private const string ScramMechanism = "SCRAM-SHA-256";

    /// <summary>Answers SSLRequest: 'S' and a TLS handshake when a certificate is configured, else 'N' (go on in plain text).</summary>
    private async Task NegotiateTlsAsync()
    {
        if (_settings.Certificate is null || _stream is SslStream)
        {
            await _stream.WriteAsync(new[] { (byte)'N' }, _serverStopping).ConfigureAwait(false);
            return;
        }

        await _stream.WriteAsync(new[] { (byte)'S' }, _serverStopping).ConfigureAwait(false);
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_serverStopping);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _settings.Certificate }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new PgProtocolException("TLS handshake failed: " + e.Message);
        }

        // Everything after the handshake, the startup packet included, goes through TLS.
        _reader.Dispose();
        _writer.Dispose();
        _stream = tls;
        _reader = new PgReader(tls);
        _writer = new PgWriter(tls);
    }

    private async Task<bool> AuthenticateAsync()
    {
        var accepted = _settings.Auth switch
        {
            PgAuthMethod.Password => await AuthenticatePasswordAsync().ConfigureAwait(false),
            PgAuthMethod.Scram => await AuthenticateScramAsync().ConfigureAwait(false),
            _ => true,
        };
        if (!accepted)
        {
            Log.Warning("Connection from {Remote}: password authentication failed for user {User}", _remote, User);
            await TrySendFatalAsync(SqlState.InvalidPassword, $"password authentication failed for user \"{User}\"").ConfigureAwait(false);
        }

        return accepted;
    }

    private async Task<bool> AuthenticatePasswordAsync()
    {
        WriteAuthentication(AuthCleartextPassword, []);
        await _writer.FlushAsync(_serverStopping).ConfigureAwait(false);
        var body = await ReadPasswordMessageAsync().ConfigureAwait(false);
        var password = new MessageCursor(body.Span).ReadCString();

        // An unknown user costs the same key derivation as a known one, so timing does not tell which names exist.
        var known = _settings.Users.Find(User);
        var matches = (known ?? _settings.Users.Mock(User)).Matches(password);
        return known is not null && matches;
    }

    /// <summary>SCRAM-SHA-256 without channel binding: client-first, server-first (nonce, salt, iterations), client-final (proof), server-final (signature).</summary>
    private async Task<bool> AuthenticateScramAsync()
    {
        var known = _settings.Users.Find(User);
        var secret = known ?? _settings.Users.Mock(User);
        WriteAuthentication(AuthSasl, Encoding.UTF8.GetBytes(ScramMechanism + "\0\0"));
        await _writer.FlushAsync(_serverStopping).ConfigureAwait(false);

        var (mechanism, clientFirst) = ReadSaslInitialResponse((await ReadPasswordMessageAsync().ConfigureAwait(false)).Span);
        if (mechanism != ScramMechanism)
        {
            throw new PgProtocolException($"client selected an invalid SASL authentication mechanism \"{mechanism}\"");
        }

        // gs2-header "n,," (or "y,,": the client could bind but thinks we cannot); "p=" would need channel binding we do not offer.
        var gs2End = clientFirst.IndexOf(",,", StringComparison.Ordinal);
        if (gs2End < 0 || clientFirst[0] is not ('n' or 'y'))
        {
            throw new PgProtocolException("malformed SCRAM message: unsupported or missing GS2 header");
        }

        var gs2Header = clientFirst[..(gs2End + 2)];
        var clientFirstBare = clientFirst[(gs2End + 2)..];
        var clientNonce = Attribute(clientFirstBare, 'r') ?? throw new PgProtocolException("malformed SCRAM message: no client nonce");
        var nonce = clientNonce + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        var serverFirst = $"r={nonce},s={Convert.ToBase64String(secret.Salt)},i={secret.Iterations}";
        WriteAuthentication(AuthSaslContinue, Encoding.UTF8.GetBytes(serverFirst));
        await _writer.FlushAsync(_serverStopping).ConfigureAwait(false);

        var clientFinal = Encoding.UTF8.GetString((await ReadPasswordMessageAsync().ConfigureAwait(false)).Span);
        var proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            throw new PgProtocolException("malformed SCRAM message: no proof");
        }

        var withoutProof = clientFinal[..proofAt];
        if (Attribute(withoutProof, 'c') != Convert.ToBase64String(Encoding.UTF8.GetBytes(gs2Header)) || Attribute(withoutProof, 'r') != nonce)
        {
            return false;
        }

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            throw new PgProtocolException("malformed SCRAM message: proof is not base64");
        }

        var authMessage = Encoding.UTF8.GetBytes(clientFirstBare + "," + serverFirst + "," + withoutProof);
        if (known is null || !secret.VerifyProof(authMessage, proof))
        {
            return false;
        }

        WriteAuthentication(AuthSaslFinal, Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(secret.ServerSignature(authMessage))));
        return true;
    }

    private static (string Mechanism, string Data) ReadSaslInitialResponse(ReadOnlySpan<byte> body)
    {
        var cursor = new MessageCursor(body);
        var mechanism = cursor.ReadCString();
        var length = cursor.ReadInt32();
        return (mechanism, length < 0 ? "" : Encoding.UTF8.GetString(cursor.ReadBytes(length)));
    }

    /// <summary>The value of a SCRAM attribute ("r=...") in a comma-separated message, or null.</summary>
    private static string? Attribute(string message, char name)
    {
        foreach (var part in message.Split(','))
        {
            if (part.Length >= 2 && part[0] == name && part[1] == '=')
            {
                return part[2..];
            }
        }

        return null;
    }

    private async Task<ReadOnlyMemory<byte>> ReadPasswordMessageAsync()
    {
        var message = await _reader.ReadMessageAsync(_serverStopping).ConfigureAwait(false)
            ?? throw new IOException("client closed the connection during authentication");
        return message.Code == FrontendMessageCode.PasswordMessage
            ? message.Body
            : throw new PgProtocolException($"expected password response, got message type {(byte)message.Code}");
    }

    private void WriteAuthentication(int kind, ReadOnlySpan<byte> data)
    {
        _writer.StartMessage(BackendMessageCode.Authentication);
        _writer.WriteInt32(kind);
        _writer.WriteBytes(data);
        _writer.EndMessage();
    }
}
