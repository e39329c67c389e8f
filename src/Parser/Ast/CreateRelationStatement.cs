namespace StreamSql.Parser.Ast;

/// <summary>CREATE STREAM/TABLE, with a column list (a source) or AS SELECT (a persistent query).</summary>
public sealed record CreateRelationStatement(
    int Position,
    RelationKind Kind,
    QualifiedName Name,
    bool OrReplace,
    bool IfNotExists,
    IReadOnlyList<ColumnDefinition> Columns,
    IReadOnlyList<Property> Properties,
    Query? AsQuery) : Statement(Position)
{
    public WatermarkDefinition? Watermark { get; init; }

    /// <summary>Columns of a table-level PRIMARY KEY (a, b) clause.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];
}
