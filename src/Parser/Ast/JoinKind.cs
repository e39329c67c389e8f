namespace StreamSql.Parser.Ast;

/// <summary>The kinds of join.</summary>
public enum JoinKind
{
    Inner,
    Left,
    Right,
    Full,
    Cross,
}
