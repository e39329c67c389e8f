namespace StreamSql.Parser.Ast;

/// <summary>A full query: optional CTEs, a body, ORDER BY, EMIT, LIMIT and OFFSET. Emit None means a pull query.</summary>
public sealed record Query(
    int Position,
    IReadOnlyList<CommonTableExpression> With,
    QueryBody Body,
    IReadOnlyList<SortItem> OrderBy,
    EmitMode Emit,
    long? Limit,
    long? Offset) : AstNode(Position);
