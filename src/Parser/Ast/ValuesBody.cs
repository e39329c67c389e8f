namespace StreamSql.Parser.Ast;

/// <summary>VALUES (...), (...) used as a query.</summary>
public sealed record ValuesBody(int Position, IReadOnlyList<IReadOnlyList<Expression>> Rows) : QueryBody(Position);
