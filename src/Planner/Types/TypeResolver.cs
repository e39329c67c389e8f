using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;

namespace StreamSql.Planner.Types;

/// <summary>Maps type names as written (PostgreSQL and ksqlDB spellings) to engine types.</summary>
public static class TypeResolver
{
    public static SqlType Resolve(TypeName name)
    {
        switch (name.Name)
        {
            case "array" when name.Arguments is [var element]:
                if (element.Name is "array")
                {
                    throw SqlException.NotSupported("multidimensional arrays", name.Position);
                }

                return SqlType.ArrayOf(Resolve(element) with { Precision = null, NumericScale = null });
            case "map" when name.Arguments is [var key, var value]:
                var keyType = Resolve(key);
                if (keyType.Kind != SqlTypeKind.Varchar)
                {
                    throw SqlException.NotSupported($"MAP keys of type {keyType.DisplayName} (keys are VARCHAR)", key.Position);
                }

                return SqlType.MapOf(keyType, Resolve(value));
            case "struct":
                var fields = new List<StructField>();
                for (var i = 0; i < name.Arguments.Count; i++)
                {
                    if (fields.Any(f => f.Name == name.FieldNames[i]))
                    {
                        throw new SqlException(SqlState.DuplicateColumn, $"duplicate field name \"{name.FieldNames[i]}\" in STRUCT", name.Arguments[i].Position);
                    }

                    fields.Add(new StructField(name.FieldNames[i], Resolve(name.Arguments[i])));
                }

                return SqlType.StructOf(fields);
        }

        var type = TryResolve(name.Name) ?? throw new SqlException(SqlState.UndefinedObject, $"type \"{name.Name}\" does not exist", name.Position);
        if (type.Kind == SqlTypeKind.Numeric && name.Modifiers.Count > 0)
        {
            var precision = name.Modifiers[0];
            var scale = name.Modifiers.Count > 1 ? name.Modifiers[1] : 0;
            if (precision is < 1 or > 28 || scale < 0 || scale > precision)
            {
                throw new SqlException(SqlState.InvalidParameterValue, $"NUMERIC precision {precision} must be between 1 and 28, and scale {scale} between 0 and the precision", name.Position);
            }

            return type with { Precision = precision, NumericScale = scale };
        }

        return type;
    }

    public static SqlType? TryResolve(string name) => name switch
    {
        "boolean" or "bool" => SqlType.Boolean,
        "int" or "integer" or "int4" => SqlType.Int,
        "smallint" or "int2" => SqlType.SmallInt,
        "real" or "float4" => SqlType.Real,
        "bigint" or "int8" => SqlType.BigInt,
        "numeric" or "decimal" or "dec" => SqlType.Numeric,
        "double" or "double precision" or "float" or "float8" => SqlType.Double,
        "varchar" or "string" or "text" or "json" or "jsonb" or "character varying" or "char" or "character" => SqlType.Varchar,
        "timestamp" or "timestamp without time zone" => SqlType.Timestamp,
        "timestamptz" or "timestamp with time zone" => SqlType.TimestampTz,
        "date" => SqlType.Date,
        "interval" => SqlType.Interval,
        "time" or "time without time zone" => SqlType.Time,
        "bytea" or "bytes" => SqlType.Bytea,
        _ => null,
    };
}
