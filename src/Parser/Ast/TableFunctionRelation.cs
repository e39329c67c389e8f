namespace StreamSql.Parser.Ast;

/// <summary>A table function in FROM: TUMBLE(src, col, size), HOP, SESSION, CUMULATE.</summary>
public sealed record TableFunctionRelation(int Position, string Name, IReadOnlyList<Expression> Arguments, string? Alias, IReadOnlyList<string>? ColumnAliases) : FromRelation(Position);
