namespace StreamSql.Parser.Ast;

/// <summary>$n, 1-based.</summary>
public sealed record ParameterReference(int Position, int Index) : Expression(Position);
