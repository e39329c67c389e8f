namespace StreamSql.SqlLogicTest;

/// <summary>
/// <c>statement error [regex] [retry &lt;duration&gt;]</c> or <c>query error [regex] [retry &lt;duration&gt;]</c>: the SQL must fail.
/// </summary>
/// <param name="ErrorPattern">
/// Optional regex from the header. It must match (case-insensitive <see cref="System.Text.RegularExpressions.Regex.IsMatch(string, string)"/>)
/// either the server's message text or its SQLSTATE.
/// </param>
/// <param name="ExpectedMessage">
/// Optional expected message given after a <c>----</c> line (sqllogictest-rs style). It must equal the message
/// text (whitespace-trimmed) or the SQLSTATE.
/// </param>
/// <param name="IsQuery">True for <c>query error</c>, false for <c>statement error</c> (only informational).</param>
/// <param name="Retry">When set, the SQL is re-run until it fails as expected or this much time has elapsed.</param>
public sealed record SltErrorRecord(
    string File,
    int Line,
    IReadOnlyList<SltCondition> Conditions,
    string Sql,
    string? ErrorPattern,
    string? ExpectedMessage,
    bool IsQuery,
    TimeSpan? Retry)
    : SltRecord(File, Line, Conditions);
