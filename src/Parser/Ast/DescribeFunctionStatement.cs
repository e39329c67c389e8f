namespace StreamSql.Parser.Ast;

/// <summary>DESCRIBE FUNCTION name.</summary>
public sealed record DescribeFunctionStatement(int Position, string Name) : Statement(Position);
