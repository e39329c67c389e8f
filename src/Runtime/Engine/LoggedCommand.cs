namespace StreamSql.Runtime.Engine;

/// <summary>One command log entry: the statement text and, for a persistent query, the id it was given.</summary>
public sealed record LoggedCommand(string Sql, string? QueryId);
