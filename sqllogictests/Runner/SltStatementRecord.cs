namespace StreamSql.SqlLogicTest;

/// <summary>
/// <c>statement ok [retry &lt;duration&gt;]</c> or <c>statement count &lt;n&gt; [retry &lt;duration&gt;]</c>:
/// the SQL must succeed (and, for <c>count</c>, the last command must report <paramref name="ExpectedCount"/> affected rows).
/// </summary>
/// <param name="Retry">When set, the statement is re-run until it passes or this much time has elapsed.</param>
public sealed record SltStatementRecord(
    string File,
    int Line,
    IReadOnlyList<SltCondition> Conditions,
    string Sql,
    long? ExpectedCount,
    TimeSpan? Retry)
    : SltRecord(File, Line, Conditions);
