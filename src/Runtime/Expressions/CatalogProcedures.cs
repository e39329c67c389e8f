using StreamSql.Planner.Functions;

namespace StreamSql.Runtime.Expressions;

/// <summary>
/// The function registry as PostgreSQL procedures (pg_proc): one per overload, numbered in registry order from
/// FirstOid. Functions with rules instead of overloads (aggregates, coalesce, ...) get one entry with "anyelement".
/// </summary>
public static class CatalogProcedures
{
    public const int FirstOid = 900_000;

    /// <summary>Every procedure: OID, name, kind ('f' function, 'a' aggregate), argument list and result type as psql shows them.</summary>
    public static IReadOnlyList<(int Oid, string Name, string Kind, string Arguments, string Result)> All { get; } = Build();

    private static readonly Dictionary<long, (int Oid, string Name, string Kind, string Arguments, string Result)> ByOid =
        All.ToDictionary(p => (long)p.Oid);

    public static (int Oid, string Name, string Kind, string Arguments, string Result)? Find(long oid) =>
        ByOid.TryGetValue(oid, out var procedure) ? procedure : null;

    /// <summary>
    /// pg_proc.provolatile: 's' (stable) for functions that read the clock, the session or the catalog, as PostgreSQL marks
    /// them; 'i' (immutable) for the others, whose result depends on their arguments only.
    /// </summary>
    public static string Volatility(string name) =>
        name is "now" or "current_date" or "version" || name.StartsWith("pg_", StringComparison.Ordinal) || name.EndsWith("_description", StringComparison.Ordinal) || name == "format_type" ? "s" : "i";

    private static List<(int, string, string, string, string)> Build()
    {
        var procedures = new List<(int, string, string, string, string)>();
        foreach (var (name, kind, _) in FunctionRegistry.All())
        {
            var prokind = kind == "aggregate" ? "a" : "f";
            if (FunctionRegistry.Find(name) is { } overloads)
            {
                foreach (var f in overloads)
                {
                    var arguments = string.Join(", ", f.Parameters.Select(p => p.DisplayName)) + (f.Variadic ? ", VARIADIC" : "");
                    procedures.Add((FirstOid + procedures.Count, name, prokind, arguments, f.Result.DisplayName));
                }
            }
            else
            {
                procedures.Add((FirstOid + procedures.Count, name, prokind, "anyelement", "anyelement"));
            }
        }

        return procedures;
    }
}
