namespace StreamSql.SqlLogicTest;

/// <summary>
/// <c>query &lt;types&gt; [rowsort|valuesort|nosort] [retry &lt;duration&gt;]</c>, SQL, <c>----</c>, expected rows.
/// </summary>
/// <param name="TypeString">One letter per column (T, I, R, B, ...); only its length (the column count) is checked.</param>
/// <param name="SortMode">How rows are ordered before comparing.</param>
/// <param name="ExpectedLines">Expected result lines exactly as written in the file.</param>
/// <param name="Retry">When set, the query is re-run until the result matches or this much time has elapsed.</param>
public sealed record SltQueryRecord(
    string File,
    int Line,
    IReadOnlyList<SltCondition> Conditions,
    string Sql,
    string TypeString,
    SltSortMode SortMode,
    IReadOnlyList<string> ExpectedLines,
    TimeSpan? Retry)
    : SltRecord(File, Line, Conditions);
