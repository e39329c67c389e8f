namespace StreamSql.Parser.Ast;

/// <summary>The ksqlDB window clauses.</summary>
public enum WindowKind
{
    Tumbling,
    Hopping,
    Session,
    Sliding,
}
