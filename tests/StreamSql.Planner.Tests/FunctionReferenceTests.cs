using System.Text;
using StreamSql.Planner.Functions;

namespace StreamSql.Planner.Tests;

/// <summary>docs/functions.md is generated from the function registry; this test fails when they drift (STREAMSQL_REGENERATE_DOCS=1 rewrites it).</summary>
public sealed class FunctionReferenceTests
{
    [Fact]
    public void FunctionReferenceMatchesTheRegistry()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "functions.md");
        var expected = Render();
        if (Environment.GetEnvironmentVariable("STREAMSQL_REGENERATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run the tests with STREAMSQL_REGENERATE_DOCS=1");
        Assert.Equal(expected, File.ReadAllText(path));
    }

    private static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# Functions\n\n");
        sb.Append("Generated from the function registry (`src/Planner/Functions/FunctionRegistry.cs`) by\n");
        sb.Append("`STREAMSQL_REGENERATE_DOCS=1 dotnet test tests/StreamSql.Planner.Tests`; a test fails when this page and the registry differ.\n");
        sb.Append("`SHOW FUNCTIONS` and `DESCRIBE FUNCTION name` give the same information from psql.\n\n");
        sb.Append("| function | kind | aliases | signatures |\n| --- | --- | --- | --- |\n");
        foreach (var (name, kind, aliases) in FunctionRegistry.All())
        {
            var signatures = FunctionRegistry.Find(name) is { } overloads
                ? string.Join("<br>", overloads.Select(f => $"`{f.Name}({string.Join(", ", f.Parameters.Select(p => p.DisplayName))}{(f.Variadic ? ", ..." : "")})` → {f.Result.DisplayName}"))
                : kind == "aggregate" ? "see the aggregate rules below" : "arguments of one common type → that type";
            sb.Append($"| `{name}` | {kind} | {string.Join(", ", aliases.Select(a => $"`{a}`"))} | {signatures} |\n");
        }

        sb.Append("\nAggregate result types follow PostgreSQL: `count` → bigint; `sum(smallint|integer)` → bigint; `sum(bigint|numeric)` and\n");
        sb.Append("`avg(smallint|integer|bigint|numeric)` → numeric; `sum`/`avg` of double precision or interval keep the type; `sum(real)` → real,\n");
        sb.Append("`avg(real)` → double precision; `min`/`max`,\n");
        sb.Append("`latest_by_offset`/`earliest_by_offset` keep the argument's type; `stddev_*`/`var_*` → numeric for exact inputs,\n");
        sb.Append("double precision for real and double; `bool_and`/`bool_or` → boolean; `string_agg(text, delimiter)` → text.\n");
        sb.Append("`array_agg(x)`/`collect_list(x)` → x's type[] (every input, NULLs included, in arrival order; not with DISTINCT), `collect_set(x)` → x's type[]\n");
        sb.Append("(distinct non-NULL inputs, first seen first); both NULL without input. `topk(x, k)` and `topkdistinct(x, k)` (ksqlDB): an array of the k greatest non-NULL inputs (distinct ones), greatest first; k is an integer constant from 1 to 10000. `histogram(text)` (ksqlDB): a MAP from each distinct non-NULL value to its count, keys in the order first seen.\n");
        return sb.ToString();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "StreamSql.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("StreamSql.sln not found");
    }
}
