namespace StreamSql.SqlLogicTest;

/// <summary>A <c>skipif &lt;engine&gt;</c> or <c>onlyif &lt;engine&gt;</c> line attached to a record.</summary>
public sealed record SltCondition(SltConditionKind Kind, string Engine)
{
    public bool Skips(string engine) => Kind switch
    {
        SltConditionKind.SkipIf => string.Equals(Engine, engine, StringComparison.OrdinalIgnoreCase),
        SltConditionKind.OnlyIf => !string.Equals(Engine, engine, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };
}
