namespace StreamSql.SqlLogicTest;

/// <summary><c>halt</c>: stop processing the file (unless skipped by its conditions).</summary>
public sealed record SltHaltRecord(string File, int Line, IReadOnlyList<SltCondition> Conditions)
    : SltRecord(File, Line, Conditions);
