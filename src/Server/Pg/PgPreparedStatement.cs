using StreamSql.Parser.Ast;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Types;

namespace StreamSql.Server.Pg;

/// <summary>A parsed and described statement of the extended protocol: its parameters' wire OIDs and engine types, and its result columns (null: no rows).</summary>
public sealed record PgPreparedStatement(
    string Sql, Statement? Statement, IReadOnlyList<int> ParameterOids, IReadOnlyList<SqlType> ParameterTypes, IReadOnlyList<ColumnSchema>? Columns);
