namespace StreamSql.Parser.Ast;

/// <summary>UNION, INTERSECT or EXCEPT.</summary>
public enum SetOperator
{
    Union,
    Intersect,
    Except,
}
