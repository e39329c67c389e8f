namespace StreamSql.Parser.Ast;

/// <summary>DISCARD ALL | PLANS | SEQUENCES | TEMP: drops session state; What is the lower-case target ("all").</summary>
public sealed record DiscardStatement(int Position, string What) : Statement(Position);
