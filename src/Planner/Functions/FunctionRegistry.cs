using StreamSql.Planner.Types;

namespace StreamSql.Planner.Functions;

/// <summary>The scalar functions the binder knows; the runtime holds one implementation per canonical name.</summary>
public static class FunctionRegistry
{
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
    };

    private static readonly Dictionary<string, ScalarFunction[]> Overloads = new(StringComparer.Ordinal)
    {
        ["upper"] = [new("upper", [SqlType.Varchar], SqlType.Varchar)],
        ["lower"] = [new("lower", [SqlType.Varchar], SqlType.Varchar)],
        ["length"] = [new("length", [SqlType.Varchar], SqlType.Int)],
        ["trim"] = [new("trim", [SqlType.Varchar], SqlType.Varchar)],
        ["substring"] =
        [
            new("substring", [SqlType.Varchar, SqlType.Int], SqlType.Varchar),
            new("substring", [SqlType.Varchar, SqlType.Int, SqlType.Int], SqlType.Varchar),
        ],
        ["concat"] = [new("concat", [SqlType.Varchar], SqlType.Varchar, Variadic: true)],
        ["abs"] =
        [
            new("abs", [SqlType.Int], SqlType.Int),
            new("abs", [SqlType.BigInt], SqlType.BigInt),
            new("abs", [SqlType.Numeric], SqlType.Numeric),
            new("abs", [SqlType.Double], SqlType.Double),
        ],
        ["round"] =
        [
            new("round", [SqlType.Double], SqlType.Double),
            new("round", [SqlType.Numeric], SqlType.Numeric),
            new("round", [SqlType.Numeric, SqlType.Int], SqlType.Numeric),
        ],
        ["floor"] = [new("floor", [SqlType.Double], SqlType.Double), new("floor", [SqlType.Numeric], SqlType.Numeric)],
        ["ceil"] = [new("ceil", [SqlType.Double], SqlType.Double), new("ceil", [SqlType.Numeric], SqlType.Numeric)],
    };

    /// <summary>Every function with its aliases, in name order (SHOW FUNCTIONS).</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<string> Aliases)> All() =>
        Overloads.Keys.Append("coalesce").Order(StringComparer.Ordinal)
            .Select(name => (name, (IReadOnlyList<string>)Aliases.Where(a => a.Value == name).Select(a => a.Key).Order(StringComparer.Ordinal).ToList()))
            .ToList();

    public static string Canonical(string name) => Aliases.GetValueOrDefault(name, name);

    public static IReadOnlyList<ScalarFunction>? Find(string name) => Overloads.GetValueOrDefault(Canonical(name));
}
