namespace StreamSql.Parser.Ast;

/// <summary>INSERT INTO name SELECT ... (a persistent query into an existing stream).</summary>
public sealed record InsertSelectStatement(int Position, QualifiedName Target, IReadOnlyList<string>? Columns, Query Query) : Statement(Position);
