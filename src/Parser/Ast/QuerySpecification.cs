namespace StreamSql.Parser.Ast;

/// <summary>SELECT ... [FROM ...] [WINDOW ...] [WHERE ...] [GROUP BY ...] [HAVING ...] [PARTITION BY ...].</summary>
public sealed record QuerySpecification(
    int Position,
    bool Distinct,
    IReadOnlyList<SelectItem> Items,
    IReadOnlyList<FromRelation> From,
    WindowSpec? Window,
    Expression? Where,
    IReadOnlyList<Expression> GroupBy,
    Expression? Having,
    IReadOnlyList<Expression> PartitionBy) : QueryBody(Position);
