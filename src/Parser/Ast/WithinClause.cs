namespace StreamSql.Parser.Ast;

/// <summary>WITHIN d or WITHIN (before, after) [GRACE PERIOD g] of a stream-stream join.</summary>
public sealed record WithinClause(int Position, Duration Before, Duration? After, Duration? Grace) : AstNode(Position);
