namespace StreamSql.SqlLogicTest;

/// <summary>Base type of every parsed sqllogictest record.</summary>
/// <param name="File">File name the record was parsed from.</param>
/// <param name="Line">1-based line number of the record header (the <c>statement</c>/<c>query</c>/<c>halt</c> line).</param>
/// <param name="Conditions">The <c>skipif</c>/<c>onlyif</c> lines that precede the record.</param>
public abstract record SltRecord(string File, int Line, IReadOnlyList<SltCondition> Conditions)
{
    /// <summary>True when the record's conditions say it must not run on <paramref name="engine"/>.</summary>
    public bool IsSkippedFor(string engine) => Conditions.Any(c => c.Skips(engine));
}
