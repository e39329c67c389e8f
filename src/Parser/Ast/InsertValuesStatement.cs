namespace StreamSql.Parser.Ast;

/// <summary>INSERT INTO name [(columns)] VALUES (...), (...).</summary>
public sealed record InsertValuesStatement(int Position, QualifiedName Target, IReadOnlyList<string>? Columns, IReadOnlyList<IReadOnlyList<Expression>> Rows) : Statement(Position);
