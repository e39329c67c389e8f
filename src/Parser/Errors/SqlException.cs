namespace StreamSql.Parser.Errors;

/// <summary>An error reported to the client: SQLSTATE, message and the 0-based character position it refers to (if any).</summary>
public sealed class SqlException : Exception
{
    public SqlException(string sqlState, string message, int? position = null, string? detail = null, string? hint = null)
        : base(message)
    {
        SqlState = sqlState;
        Position = position;
        Detail = detail;
        Hint = hint;
    }

    public string SqlState { get; }

    /// <summary>0-based character offset into the statement text; the wire protocol reports it 1-based.</summary>
    public int? Position { get; }

    public string? Detail { get; }

    public string? Hint { get; }

    public static SqlException NotSupported(string what, int? position = null) =>
        new(Errors.SqlState.FeatureNotSupported, what + " is not supported yet", position);
}
