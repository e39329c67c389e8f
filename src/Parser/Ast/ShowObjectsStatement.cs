namespace StreamSql.Parser.Ast;

/// <summary>SHOW STREAMS | TABLES | VIEWS | TOPICS | QUERIES.</summary>
public sealed record ShowObjectsStatement(int Position, ShowObjectKind What, bool Extended) : Statement(Position);
