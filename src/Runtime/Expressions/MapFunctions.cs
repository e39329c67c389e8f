using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>MAP and STRUCT values (ksqlDB): the constructors, m['key'], s->field, map_keys, map_values.</summary>
public static class MapFunctions
{
    /// <summary>MAP(k1 := v1, ...) from key, value, key, value, ...: a NULL key is an error; a repeated key keeps the last value.</summary>
    public static Value MakeMap(Value[] entries)
    {
        var keys = new List<Value>(entries.Length / 2);
        var values = new List<Value>(entries.Length / 2);
        for (var i = 0; i < entries.Length; i += 2)
        {
            if (entries[i].IsNull)
            {
                throw new Parser.Errors.SqlException(Parser.Errors.SqlState.NullValueNotAllowed, "MAP keys cannot be NULL");
            }

            var existing = keys.IndexOf(entries[i]);
            if (existing >= 0)
            {
                values[existing] = entries[i + 1];
            }
            else
            {
                keys.Add(entries[i]);
                values.Add(entries[i + 1]);
            }
        }

        return Value.FromMap(new MapValue([.. keys], [.. values]));
    }

    /// <summary>STRUCT(f1 := v1, ...): the field values with the type's field names.</summary>
    public static Value MakeStruct(string[] names, Value[] fields) => Value.FromStruct(new StructValue(names, fields));

    /// <summary>m['key']: the value under the key; NULL when the key is absent or either side is NULL.</summary>
    public static Value MapSubscript(Value map, Value key) => map.IsNull || key.IsNull ? Value.Null : map.AsMap.Get(key);

    /// <summary>s->field: the field at a position fixed when binding; NULL for a NULL struct.</summary>
    public static Value StructField(Value value, Value index) => value.IsNull ? Value.Null : value.AsStruct.Fields[index.AsInt];

    /// <summary>map_keys(m): the keys as an array, in the map's order.</summary>
    public static Value MapKeys(Value map) => map.IsNull ? map : Value.FromArray([.. map.AsMap.Keys]);

    /// <summary>map_values(m): the values as an array, in the map's order.</summary>
    public static Value MapValues(Value map) => map.IsNull ? map : Value.FromArray([.. map.AsMap.Values]);
}
