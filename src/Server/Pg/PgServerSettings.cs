using System.Security.Cryptography.X509Certificates;

namespace StreamSql.Server.Pg;

/// <summary>What every connection of a listener shares: how clients authenticate, the users, and the TLS certificate if any.</summary>
public sealed record PgServerSettings(PgAuthMethod Auth, PgUserStore Users, X509Certificate2? Certificate)
{
    public static PgServerSettings Default => new(PgAuthMethod.Trust, new PgUserStore(null), null);
}
