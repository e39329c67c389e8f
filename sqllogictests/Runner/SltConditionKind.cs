namespace StreamSql.SqlLogicTest;

public enum SltConditionKind
{
    /// <summary><c>skipif &lt;engine&gt;</c>: skip the record when running against that engine.</summary>
    SkipIf,

    /// <summary><c>onlyif &lt;engine&gt;</c>: run the record only when running against that engine.</summary>
    OnlyIf,
}
