namespace StreamSql.Parser.Ast;

/// <summary>WATERMARK FOR column AS expression in a source's column list.</summary>
public sealed record WatermarkDefinition(int Position, string Column, Expression Expression) : AstNode(Position);
