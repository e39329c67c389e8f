namespace StreamSql.Parser.Ast;

/// <summary>name(args), name(*) or name(DISTINCT args), optionally a window function: name(...) OVER (...).</summary>
public sealed record FunctionCall(int Position, string Name, IReadOnlyList<Expression> Arguments, bool Distinct, bool Star, OverClause? Over = null) : Expression(Position);
