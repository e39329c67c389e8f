namespace StreamSql.Server.Pg;

/// <summary>What every connection of a listener shares: how clients authenticate and the TLS certificate, if any.</summary>
public sealed record PgServerSettings
{
    public static readonly PgServerSettings Default = new();
}
