namespace StreamSql.Parser.Ast;

/// <summary>WINDOW TUMBLING/HOPPING/SESSION/SLIDING (...); Size is the gap for SESSION.</summary>
public sealed record WindowSpec(int Position, WindowKind Kind, Duration Size, Duration? Advance, Duration? Retention, Duration? Grace) : AstNode(Position);
