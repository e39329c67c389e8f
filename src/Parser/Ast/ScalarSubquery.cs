namespace StreamSql.Parser.Ast;

/// <summary>(query) used as a value.</summary>
public sealed record ScalarSubquery(int Position, Query Query) : Expression(Position);
