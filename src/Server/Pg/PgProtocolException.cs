namespace StreamSql.Server.Pg;

/// <summary>The client broke the wire protocol (bad length, truncated message, unknown message type): the connection is closed with 08P01.</summary>
public sealed class PgProtocolException(string message) : Exception(message);
