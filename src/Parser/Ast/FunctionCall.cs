namespace StreamSql.Parser.Ast;

/// <summary>name(args), name(*) or name(DISTINCT args).</summary>
public sealed record FunctionCall(int Position, string Name, IReadOnlyList<Expression> Arguments, bool Distinct, bool Star) : Expression(Position);
