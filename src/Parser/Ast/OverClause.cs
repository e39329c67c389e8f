namespace StreamSql.Parser.Ast;

/// <summary>A window function's OVER ([PARTITION BY ...] [ORDER BY ...]); no PARTITION BY means one partition of every row.</summary>
public sealed record OverClause(int Position, IReadOnlyList<Expression> PartitionBy, IReadOnlyList<SortItem> OrderBy) : AstNode(Position);
