namespace StreamSql.Runtime.Engine;

/// <summary>A statement without rows; Tag is the PostgreSQL command tag ("CREATE STREAM", "INSERT 0 3").</summary>
public sealed record CommandResult(string Tag) : StatementResult;
