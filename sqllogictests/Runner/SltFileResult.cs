namespace StreamSql.SqlLogicTest;

/// <summary>Outcome of running one .slt file: record counts plus every failure.</summary>
/// <param name="File">The path of the file as passed to the runner.</param>
/// <param name="Passed">Number of records that passed.</param>
/// <param name="Skipped">Number of records skipped by <c>skipif</c>/<c>onlyif</c> or after <c>halt</c>.</param>
/// <param name="Failures">One entry per failed record (parse and connection errors count as failed records too).</param>
public sealed record SltFileResult(string File, int Passed, int Skipped, IReadOnlyList<SltFailure> Failures)
{
    public int Failed => Failures.Count;
}
