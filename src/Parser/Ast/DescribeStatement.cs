namespace StreamSql.Parser.Ast;

/// <summary>DESCRIBE [EXTENDED] name.</summary>
public sealed record DescribeStatement(int Position, QualifiedName Name, bool Extended) : Statement(Position);
