using StreamSql.Planner.Types;

namespace StreamSql.Planner.Functions;

/// <summary>The functions the binder knows: scalar overloads (run by the runtime, one implementation per canonical name) and aggregates (listed; executed by the stateful runtime).</summary>
public static class FunctionRegistry
{
    private static readonly SqlType T = SqlType.Varchar;
    private static readonly SqlType S = SqlType.SmallInt;
    private static readonly SqlType R = SqlType.Real;
    private static readonly SqlType I = SqlType.Int;
    private static readonly SqlType L = SqlType.BigInt;
    private static readonly SqlType N = SqlType.Numeric;
    private static readonly SqlType D = SqlType.Double;
    private static readonly SqlType B = SqlType.Boolean;
    private static readonly SqlType Ts = SqlType.Timestamp;

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["ucase"] = "upper",
        ["lcase"] = "lower",
        ["len"] = "length",
        ["char_length"] = "length",
        ["character_length"] = "length",
        ["substr"] = "substring",
        ["btrim"] = "trim",
        ["ceiling"] = "ceil",
        ["instr"] = "strpos",
        ["current_timestamp"] = "now",
        ["ifnull"] = "coalesce",
        ["collect_list"] = "array_agg",
        ["stddev"] = "stddev_samp",
        ["variance"] = "var_samp",
    };

    private static ScalarFunction F(string name, SqlType[] parameters, SqlType result) => new(name, parameters, result);

    private static readonly Dictionary<string, ScalarFunction[]> Overloads = new(StringComparer.Ordinal)
    {
        // strings
        ["upper"] = [F("upper", [T], T)],
        ["lower"] = [F("lower", [T], T)],
        ["initcap"] = [F("initcap", [T], T)],
        ["length"] = [F("length", [T], I), F("length", [SqlType.Bytea], I)],
        ["octet_length"] = [F("octet_length", [T], I), F("octet_length", [SqlType.Bytea], I)],
        ["trim"] = [F("trim", [T], T)],
        ["ltrim"] = [F("ltrim", [T], T)],
        ["rtrim"] = [F("rtrim", [T], T)],
        ["substring"] = [F("substring", [T, I], T), F("substring", [T, I, I], T)],
        ["replace"] = [F("replace", [T, T, T], T)],
        ["left"] = [F("left", [T, I], T)],
        ["right"] = [F("right", [T, I], T)],
        ["reverse"] = [F("reverse", [T], T)],
        ["repeat"] = [F("repeat", [T, I], T)],
        ["lpad"] = [F("lpad", [T, I], T), F("lpad", [T, I, T], T)],
        ["rpad"] = [F("rpad", [T, I], T), F("rpad", [T, I, T], T)],
        ["strpos"] = [F("strpos", [T, T], I)],
        ["starts_with"] = [F("starts_with", [T, T], B)],

        // catalog queries (psql's \d family): the ~ operators and object helpers
        ["textregexeq"] = [F("textregexeq", [T, T], B)],
        ["texticregexeq"] = [F("texticregexeq", [T, T], B)],
        ["pg_get_userbyid"] = [F("pg_get_userbyid", [I], T)],
        ["pg_table_is_visible"] = [F("pg_table_is_visible", [I], B)],
        ["version"] = [F("version", [], T)],
        ["pg_function_is_visible"] = [F("pg_function_is_visible", [I], B)],
        ["pg_get_function_result"] = [F("pg_get_function_result", [I], T)],
        ["pg_get_function_arguments"] = [F("pg_get_function_arguments", [I], T)],
        ["pg_encoding_to_char"] = [F("pg_encoding_to_char", [I], T)],
        ["array_to_string"] = [F("array_to_string", [T, T], T)],
        ["format_type"] = [F("format_type", [I, I], T)],
        ["pg_get_expr"] = [F("pg_get_expr", [T, I], T), F("pg_get_expr", [T, I, B], T)],
        ["col_description"] = [F("col_description", [I, I], T)],
        ["obj_description"] = [F("obj_description", [I, T], T)],
        ["pg_get_function_sqlbody"] = [F("pg_get_function_sqlbody", [I], T)],
        ["pg_get_statisticsobjdef_columns"] = [F("pg_get_statisticsobjdef_columns", [I], T)],
        ["pg_relation_is_publishable"] = [F("pg_relation_is_publishable", [I], B)],
        ["split_part"] = [F("split_part", [T, T, I], T)],
        ["ascii"] = [F("ascii", [T], I)],
        ["chr"] = [F("chr", [I], T)],
        ["concat"] = [new("concat", [T], T, Variadic: true)],
        ["concat_ws"] = [new("concat_ws", [T], T, Variadic: true)],
        ["extractjsonfield"] = [F("extractjsonfield", [T, T], T)],

        // numbers
        ["abs"] = [F("abs", [I], I), F("abs", [L], L), F("abs", [N], N), F("abs", [D], D), F("abs", [S], S), F("abs", [R], R)],
        ["round"] = [F("round", [D], D), F("round", [N], N), F("round", [N, I], N)],
        ["floor"] = [F("floor", [D], D), F("floor", [N], N)],
        ["ceil"] = [F("ceil", [D], D), F("ceil", [N], N)],
        ["trunc"] = [F("trunc", [D], D), F("trunc", [N], N), F("trunc", [N, I], N)],
        ["sign"] = [F("sign", [D], D), F("sign", [N], N)],
        ["mod"] = [F("mod", [I, I], I), F("mod", [L, L], L), F("mod", [N, N], N), F("mod", [S, S], S)],
        ["power"] = [F("power", [D, D], D)],
        ["sqrt"] = [F("sqrt", [D], D)],
        ["exp"] = [F("exp", [D], D)],
        ["ln"] = [F("ln", [D], D)],
        ["log"] = [F("log", [D], D)],

        // date and time
        ["date_trunc"] = [F("date_trunc", [T, Ts], Ts), F("date_trunc", [T, SqlType.TimestampTz], SqlType.TimestampTz)],
        ["now"] = [F("now", [], SqlType.TimestampTz)],
        ["current_date"] = [F("current_date", [], SqlType.Date)],
        ["date_part"] = [F("date_part", [T, Ts], D)],
        ["timestamptostring"] = [F("timestamptostring", [L, T], T)],
        ["stringtotimestamp"] = [F("stringtotimestamp", [T, T], L)],
        // arrays (the binder resolves the element type of anyarray)
        ["cardinality"] = [F("cardinality", [SqlType.AnyArray], I), F("cardinality", [SqlType.AnyMap], I)],
        // maps (ksqlDB's MAP<K,V>; the binder resolves the key and value types)
        ["map_keys"] = [F("map_keys", [SqlType.AnyMap], SqlType.ArrayOf(T))],
        ["map_values"] = [F("map_values", [SqlType.AnyMap], SqlType.AnyArray)],
        ["array_length"] = [F("array_length", [SqlType.AnyArray, I], I)],
        ["to_char"] =
        [
            F("to_char", [Ts, T], T), F("to_char", [SqlType.TimestampTz, T], T), F("to_char", [SqlType.Date, T], T), F("to_char", [SqlType.Interval, T], T),
            F("to_char", [I, T], T), F("to_char", [L, T], T), F("to_char", [R, T], T), F("to_char", [D, T], T), F("to_char", [N, T], T),
        ],
    };

    /// <summary>Functions whose arguments share one common type, resolved by the binder (like PostgreSQL's CASE rules).</summary>
    public static readonly IReadOnlySet<string> CommonTypeFunctions = new HashSet<string>(StringComparer.Ordinal) { "coalesce", "nullif", "greatest", "least" };

    /// <summary>Aggregates: listed now, computed by GROUP BY queries in the stateful runtime.</summary>
    public static readonly IReadOnlySet<string> Aggregates = new HashSet<string>(StringComparer.Ordinal)
    {
        "count", "sum", "avg", "min", "max", "stddev_samp", "stddev_pop", "var_samp", "var_pop", "bool_and", "bool_or", "string_agg",
        "array_agg", "collect_set", "latest_by_offset", "earliest_by_offset", "topk", "topkdistinct", "histogram",
    };

    /// <summary>Every function with its kind and aliases, in name order (SHOW FUNCTIONS).</summary>
    public static IReadOnlyList<(string Name, string Kind, IReadOnlyList<string> Aliases)> All() =>
        Overloads.Keys.Select(n => (n, "scalar"))
            .Concat(CommonTypeFunctions.Select(n => (n, "scalar")))
            .Concat(Aggregates.Select(n => (n, "aggregate")))
            .OrderBy(f => f.Item1, StringComparer.Ordinal)
            .Select(f => (f.Item1, f.Item2, (IReadOnlyList<string>)Aliases.Where(a => a.Value == f.Item1).Select(a => a.Key).Order(StringComparer.Ordinal).ToList()))
            .ToList();

    /// <summary>Functions whose result changes between calls: never folded at plan time.</summary>
    public static readonly IReadOnlySet<string> Volatile = new HashSet<string>(StringComparer.Ordinal) { "now", "current_date" };

    public static string Canonical(string name) => Aliases.GetValueOrDefault(name, name);

    public static IReadOnlyList<ScalarFunction>? Find(string name) => Overloads.GetValueOrDefault(Canonical(name));

    public static bool IsAggregate(string name) => Aggregates.Contains(Canonical(name));

    public static bool Exists(string name)
    {
        var canonical = Canonical(name);
        return Overloads.ContainsKey(canonical) || CommonTypeFunctions.Contains(canonical) || Aggregates.Contains(canonical);
    }
}
