namespace StreamSql.Parser.Ast;

/// <summary>INTERVAL '...' [unit].</summary>
public sealed record IntervalLiteral(int Position, string Value, string? Unit) : Expression(Position);
