using StreamSql.SqlLogicTest;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Plays every .slt file under sqllogictests/ against the shared server.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class SqlLogicTests(SharedServerFixture fixture)
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        var root = Path.Combine(RepositoryRoot(), "sqllogictests");
        foreach (var file in Directory.EnumerateFiles(root, "*.slt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Plays(string file)
    {
        var runner = new SltRunner($"Host=127.0.0.1;Port={fixture.Server.PgPort};Username=streamsql;Database=streamsql");
        var failures = await runner.RunFileAsync(Path.Combine(RepositoryRoot(), "sqllogictests", file));

        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Select(f => f.ToString())));
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "StreamSql.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("StreamSql.sln not found above " + AppContext.BaseDirectory);
    }
}
