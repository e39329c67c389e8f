using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;

namespace StreamSql.Planner.Types;

/// <summary>Maps type names as written (PostgreSQL and ksqlDB spellings) to engine types.</summary>
public static class TypeResolver
{
    public static SqlType Resolve(TypeName name) =>
        TryResolve(name.Name) ?? throw new SqlException(SqlState.UndefinedObject, $"type \"{name.Name}\" does not exist", name.Position);

    public static SqlType? TryResolve(string name) => name switch
    {
        "boolean" or "bool" => SqlType.Boolean,
        "int" or "integer" or "int4" or "smallint" or "int2" => SqlType.Int,
        "bigint" or "int8" => SqlType.BigInt,
        "double" or "double precision" or "float" or "float8" or "real" or "float4" => SqlType.Double,
        "varchar" or "string" or "text" or "character varying" or "char" or "character" => SqlType.Varchar,
        "timestamp" or "timestamp without time zone" => SqlType.Timestamp,
        _ => null,
    };
}
