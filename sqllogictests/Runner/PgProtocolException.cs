namespace StreamSql.SqlLogicTest;

/// <summary>
/// A client-side failure talking to the server: connection lost, protocol violation, unsupported
/// authentication, timeout. The connection is unusable afterwards.
/// </summary>
public sealed class PgProtocolException : Exception
{
    public PgProtocolException(string message)
        : base(message)
    {
    }

    public PgProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
