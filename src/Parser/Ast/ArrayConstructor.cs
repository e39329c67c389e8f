namespace StreamSql.Parser.Ast;

/// <summary>ARRAY[e1, e2, ...].</summary>
public sealed record ArrayConstructor(int Position, IReadOnlyList<Expression> Elements) : Expression(Position);
