namespace StreamSql.Server.Pg;

/// <summary>How clients prove who they are (--auth): not at all, with a cleartext password, or with SCRAM-SHA-256.</summary>
public enum PgAuthMethod
{
    Trust,
    Password,
    Scram,
}
