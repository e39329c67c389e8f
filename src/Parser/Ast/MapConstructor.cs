namespace StreamSql.Parser.Ast;

/// <summary>ksqlDB's MAP(k1 := v1, k2 := v2, ...): Keys[i] maps to Values[i].</summary>
public sealed record MapConstructor(int Position, IReadOnlyList<Expression> Keys, IReadOnlyList<Expression> Values) : Expression(Position);
