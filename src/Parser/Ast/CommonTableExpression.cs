namespace StreamSql.Parser.Ast;

/// <summary>name [(columns)] AS (query) in a WITH clause.</summary>
public sealed record CommonTableExpression(int Position, string Name, IReadOnlyList<string>? ColumnAliases, Query Query) : AstNode(Position);
