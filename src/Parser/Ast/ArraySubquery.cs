namespace StreamSql.Parser.Ast;

/// <summary>ARRAY(query): the values of a one-column subquery as an array.</summary>
public sealed record ArraySubquery(int Position, Query Query) : Expression(Position);
