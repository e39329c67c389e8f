namespace StreamSql.Parser.Ast;

/// <summary>What CREATE/DROP talks about.</summary>
public enum RelationKind
{
    Stream,
    Table,
    View,
    MaterializedView,
    Source,
    Sink,
}
