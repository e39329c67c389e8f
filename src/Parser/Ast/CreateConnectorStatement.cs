namespace StreamSql.Parser.Ast;

/// <summary>CREATE SOURCE/SINK (accepted by the parser; connectors are bound later).</summary>
public sealed record CreateConnectorStatement(int Position, bool IsSink, QualifiedName Name, bool IfNotExists, IReadOnlyList<ColumnDefinition> Columns, QualifiedName? From, IReadOnlyList<Property> Properties, Query? Query) : Statement(Position);
