namespace StreamSql.Parser.Ast;

/// <summary>A SELECT: push query when Emit is not None, otherwise a pull query.</summary>
public sealed record Query(
    int Position,
    bool Distinct,
    IReadOnlyList<SelectItem> Items,
    Relation From,
    Expression? Where,
    IReadOnlyList<Expression> GroupBy,
    Expression? Having,
    EmitMode Emit,
    long? Limit) : AstNode(Position);
