namespace StreamSql.Parser.Ast;

/// <summary>The object family a SHOW lists.</summary>
public enum ShowObjectKind
{
    Streams,
    Tables,
    Views,
    MaterializedViews,
    Topics,
    Queries,
    Functions,
    Sources,
    Sinks,
    Properties,
}
