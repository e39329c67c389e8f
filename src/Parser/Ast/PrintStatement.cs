namespace StreamSql.Parser.Ast;

/// <summary>PRINT 'topic' [FROM BEGINNING] [LIMIT n]: stream a topic's raw records; without FROM BEGINNING only new ones.</summary>
public sealed record PrintStatement(int Position, string Topic, bool FromBeginning, long? Limit) : Statement(Position);
