namespace StreamSql.Parser.Ast;

/// <summary>SUBSCRIBE [TO] name | (query): push the changes of a view or table.</summary>
public sealed record SubscribeStatement(int Position, QualifiedName? Name, Query? Query, IReadOnlyList<Property> Properties) : Statement(Position);
