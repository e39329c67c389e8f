using System.Security.Cryptography;
using System.Text;

namespace StreamSql.Server.Pg;

/// <summary>What the server keeps of a password (RFC 5802): salt, iteration count, StoredKey and ServerKey; never the password itself.</summary>
public sealed record ScramSecret(byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>PostgreSQL's default iteration count for scram-sha-256 secrets.</summary>
    public const int DefaultIterations = 4096;

    public static ScramSecret Create(string password) => Derive(password, RandomNumberGenerator.GetBytes(16), DefaultIterations);

    public static ScramSecret Derive(string password, byte[] salt, int iterations)
    {
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        return new ScramSecret(salt, iterations, SHA256.HashData(clientKey), HMACSHA256.HashData(salted, "Server Key"u8));
    }

    /// <summary>True when password derives this secret (cleartext password authentication).</summary>
    public bool Matches(string password)
    {
        var derived = Derive(password, Salt, Iterations);
        return CryptographicOperations.FixedTimeEquals(derived.StoredKey, StoredKey) && CryptographicOperations.FixedTimeEquals(derived.ServerKey, ServerKey);
    }

    /// <summary>RFC 5802: ClientKey = proof XOR HMAC(StoredKey, AuthMessage); the proof is good when H(ClientKey) = StoredKey.</summary>
    public bool VerifyProof(byte[] authMessage, byte[] proof)
    {
        var signature = HMACSHA256.HashData(StoredKey, authMessage);
        if (proof.Length != signature.Length)
        {
            return false;
        }

        var clientKey = new byte[signature.Length];
        for (var i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] = (byte)(proof[i] ^ signature[i]);
        }

        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(clientKey), StoredKey);
    }

    /// <summary>The server's proof that it knows the secret too (the "v=" of server-final-message).</summary>
    public byte[] ServerSignature(byte[] authMessage) => HMACSHA256.HashData(ServerKey, authMessage);
}
