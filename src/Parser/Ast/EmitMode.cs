namespace StreamSql.Parser.Ast;

/// <summary>How a query emits: None for a pull query, Changes for every update, Final once per closed window.</summary>
public enum EmitMode
{
    None,
    Changes,
    Final,
}
