namespace StreamSql.Runtime.Engine;

/// <summary>What executing one statement produced; the server turns it into protocol messages.</summary>
public abstract record StatementResult;
