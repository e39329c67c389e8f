namespace StreamSql.Server.Tests;

/// <summary>docs/configuration.md lists every option the server accepts, with its environment variable.</summary>
public sealed class ConfigurationDocsTests
{
    [Fact]
    public void EveryOptionIsDocumented()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "StreamSql.sln")))
        {
            directory = directory.Parent;
        }

        var page = File.ReadAllText(Path.Combine(directory!.FullName, "docs", "configuration.md"));
        var help = ServerOptions.Help;
        foreach (var line in help.Split('\n').Where(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
        {
            var flag = line.Trim().Split(' ')[0];
            Assert.Contains($"`{flag} ", page);
        }

        foreach (var variable in help.Split([' ', '\n', '(', ')', ','], StringSplitOptions.RemoveEmptyEntries).Where(w => w.StartsWith("STREAMSQL_", StringComparison.Ordinal)))
        {
            Assert.Contains($"`{variable}`", page);
        }
    }
}
