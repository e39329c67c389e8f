namespace StreamSql.Parser.Ast;

/// <summary>A column in CREATE STREAM/TABLE; IsKey marks KEY or PRIMARY KEY.</summary>
public sealed record ColumnDefinition(int Position, string Name, TypeName Type, bool IsKey, bool IsPrimaryKey) : AstNode(Position);
