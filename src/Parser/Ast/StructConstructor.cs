namespace StreamSql.Parser.Ast;

/// <summary>ksqlDB's STRUCT(f1 := v1, f2 := v2, ...): a struct with fields Names[i] holding Values[i].</summary>
public sealed record StructConstructor(int Position, IReadOnlyList<string> Names, IReadOnlyList<Expression> Values) : Expression(Position);
