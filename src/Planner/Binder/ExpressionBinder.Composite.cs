using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>ksqlDB's MAP and STRUCT values: the MAP(k := v) and STRUCT(f := v) constructors, m['key'], s->field, map_keys, map_values, cardinality.</summary>
public sealed partial class ExpressionBinder
{
    /// <summary>The internal function MAP(k1 := v1, ...) binds to: arguments are key, value, key, value, ...</summary>
    public const string MapConstructorFunction = "map";

    /// <summary>The internal function STRUCT(f1 := v1, ...) binds to: the field values, in order (the names are in the result type).</summary>
    public const string StructConstructorFunction = "struct";

    /// <summary>The internal function m['key'] binds to: the value under the key, NULL when absent.</summary>
    public const string MapSubscriptFunction = "map_subscript";

    /// <summary>The internal function s->f binds to: the field at a constant position.</summary>
    public const string StructFieldFunction = "struct_field";

    /// <summary>MAP('a' := 1, 'b' := 2): text keys; the values convert to their common type (untyped literals alone make text).</summary>
    private BoundExpression BindMap(MapConstructor map)
    {
        if (map.Keys.Count == 0)
        {
            throw new SqlException(SqlState.IndeterminateDatatype, "cannot determine type of empty map", map.Position,
                hint: "Explicitly cast to the desired type, for example CAST(MAP() AS MAP<VARCHAR, INT>).");
        }

        var keys = map.Keys.Select((k, i) =>
        {
            var key = Bind(k);
            return key.Type.Kind is SqlTypeKind.Varchar or SqlTypeKind.Unknown
                ? Coercion.Convert(key, SqlType.Varchar, k.Position)
                : throw new SqlException(SqlState.DatatypeMismatch, $"MAP keys must be text, not {key.Type.DisplayName}", k.Position);
        }).ToList();
        var values = map.Values.Select(Bind).ToList();
        var type = SqlType.Unknown;
        for (var i = 0; i < values.Count; i++)
        {
            type = Coercion.Accumulate(type, values[i].Type)
                ?? throw new SqlException(SqlState.DatatypeMismatch, $"MAP types {type.DisplayName} and {values[i].Type.DisplayName} cannot be matched", map.Values[i].Position);
        }

        type = type.Kind == SqlTypeKind.Unknown ? SqlType.Varchar : type with { Precision = null, NumericScale = null };
        var args = new List<BoundExpression>();
        for (var i = 0; i < keys.Count; i++)
        {
            args.Add(keys[i]);
            args.Add(Coercion.Convert(values[i], type, map.Values[i].Position));
        }

        return new BoundFunctionCall(MapConstructorFunction, args, SqlType.MapOf(SqlType.Varchar, type));
    }

    /// <summary>STRUCT(f1 := 1, f2 := 'x'): a field per argument, typed by its value (an untyped literal is text).</summary>
    private BoundExpression BindStruct(StructConstructor st)
    {
        var fields = new List<StructField>();
        var values = new List<BoundExpression>();
        for (var i = 0; i < st.Names.Count; i++)
        {
            if (fields.Any(f => f.Name == st.Names[i]))
            {
                throw new SqlException(SqlState.DuplicateColumn, $"duplicate field name \"{st.Names[i]}\" in STRUCT", st.Values[i].Position);
            }

            var value = Bind(st.Values[i]);
            if (value.Type.Kind == SqlTypeKind.Unknown)
            {
                value = Coercion.Convert(value, SqlType.Varchar, st.Values[i].Position);
            }

            fields.Add(new StructField(st.Names[i], value.Type));
            values.Add(value);
        }

        return new BoundFunctionCall(StructConstructorFunction, values, SqlType.StructOf(fields));
    }

    /// <summary>m['key']: the value type of the map; the key converts to text.</summary>
    private BoundExpression BindMapSubscript(SubscriptExpression subscript, BoundExpression map)
    {
        var key = Bind(subscript.Index);
        if (key.Type.Kind is not (SqlTypeKind.Varchar or SqlTypeKind.Unknown))
        {
            throw new SqlException(SqlState.DatatypeMismatch, $"map subscript must have type text, not {key.Type.DisplayName}", subscript.Index.Position);
        }

        return new BoundFunctionCall(MapSubscriptFunction, [map, Coercion.Convert(key, SqlType.Varchar, subscript.Index.Position)], map.Type.Element!);
    }

    /// <summary>s->field (ksqlDB's dereference): the field's value, NULL when the struct is NULL; an unknown field is 42703.</summary>
    private BoundExpression? TryBindStructField(BinaryExpression binary)
    {
        if (binary.Operator != BinaryOperator.JsonField || binary.Right is not ColumnReference { Qualifier: null } field)
        {
            return null;
        }

        var left = Bind(binary.Left);
        if (left.Type.Kind != SqlTypeKind.Struct)
        {
            return null;
        }

        var index = left.Type.Fields!.IndexOf(field.Name);
        if (index < 0)
        {
            throw new SqlException(SqlState.UndefinedColumn, $"struct {left.Type.DisplayName} has no field \"{field.Name}\"", field.Position);
        }

        return new BoundFunctionCall(StructFieldFunction, [left, new BoundLiteral(index, SqlType.Int)], left.Type.Fields[index].Type);
    }

    /// <summary>map_keys(m), map_values(m) and cardinality(m) over any map type.</summary>
    private static BoundExpression? BindMapFunction(string name, List<BoundExpression> args)
    {
        if (args is not [{ Type.Kind: SqlTypeKind.Map } map])
        {
            return null;
        }

        return name switch
        {
            "map_keys" => new BoundFunctionCall(name, args, SqlType.ArrayOf(map.Type.Key!)),
            "map_values" => new BoundFunctionCall(name, args, SqlType.ArrayOf(map.Type.Element!)),
            "cardinality" => new BoundFunctionCall(name, args, SqlType.Int),
            _ => null,
        };
    }
}
