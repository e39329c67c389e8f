namespace StreamSql.Parser.Ast;

/// <summary>FETCH [FORWARD] [n | ALL] FROM name: the cursor's next Count rows (null = all), waiting for a push query's rows to come.</summary>
public sealed record FetchStatement(int Position, string Cursor, long? Count) : Statement(Position);
