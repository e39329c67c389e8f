namespace StreamSql.Parser.Ast;

/// <summary>DROP STREAM/TABLE/VIEW [IF EXISTS] name [DELETE TOPIC].</summary>
public sealed record DropStatement(int Position, RelationKind Kind, QualifiedName Name, bool IfExists, bool DeleteTopic) : Statement(Position);
