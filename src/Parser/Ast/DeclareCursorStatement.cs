namespace StreamSql.Parser.Ast;

/// <summary>DECLARE name [NO SCROLL] CURSOR [WITH[OUT] HOLD] FOR query: a named, connection-held position in the query's rows.</summary>
public sealed record DeclareCursorStatement(int Position, string Name, bool WithHold, Query Query) : Statement(Position);
