using System.Text.RegularExpressions;
using StreamSql.Parser;
using StreamSql.Parser.Ast;

namespace StreamSql.Planner.Tests;

/// <summary>
/// docs/sql-reference.md cannot drift from the parser: every ```sql block on the page parses, and every kind of statement the
/// parser produces has at least one example there.
/// </summary>
public sealed partial class SqlReferenceTests
{
    [GeneratedRegex(@"```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();

    private static readonly string Page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "sql-reference.md"));

    private static IEnumerable<string> Blocks() => SqlBlock().Matches(Page).Select(m => m.Groups[1].Value);

    [Fact]
    public void EveryExampleParses()
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var block in Blocks())
        {
            try
            {
                count += SqlParser.Parse(block).Count;
            }
            catch (Exception e)
            {
                failures.Add($"{e.Message}\n{block}");
            }
        }

        Assert.Empty(failures);
        Assert.True(count >= 80, $"only {count} example statements");
    }

    [Fact]
    public void EveryStatementKindHasAnExample()
    {
        var exemplified = Blocks().SelectMany(SqlParser.Parse).Select(s => s.GetType()).ToHashSet();
        var kinds = typeof(Statement).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Statement)) && !t.IsAbstract)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(kinds);
        Assert.Empty(kinds.Where(k => !exemplified.Contains(k)).Select(k => k.Name));
    }

    [Fact]
    public void ThePageLinksTheGeneratedFunctionReferenceAndTheReadmeLinksThePage()
    {
        Assert.Contains("](functions.md)", Page, StringComparison.Ordinal);
        Assert.Contains("docs/sql-reference.md", File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")), StringComparison.Ordinal);
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
