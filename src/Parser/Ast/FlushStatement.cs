namespace StreamSql.Parser.Ast;

/// <summary>FLUSH: wait until persistent queries have consumed everything written before it.</summary>
public sealed record FlushStatement(int Position) : Statement(Position);
