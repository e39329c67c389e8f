using System.Collections.Concurrent;
using StreamSql.Parser.Ast;

namespace StreamSql.Runtime.Engine;

/// <summary>Counts executed statements by kind (select, insert, create_stream, ...) and outcome; errors during row streaming are not included.</summary>
public sealed class StatementCounts
{
    private readonly ConcurrentDictionary<(string Kind, bool Ok), long> _counts = new();

    public void Count(string kind, bool ok) => _counts.AddOrUpdate((kind, ok), 1, (_, n) => n + 1);

    public IReadOnlyList<(string Kind, string Outcome, long Count)> Snapshot() =>
        _counts.Select(c => (c.Key.Kind, c.Key.Ok ? "ok" : "error", c.Value)).OrderBy(c => c.Kind, StringComparer.Ordinal).ToList();

    /// <summary>"CreateRelationStatement" → "create_relation".</summary>
    public static string KindOf(Statement statement)
    {
        var name = statement.GetType().Name;
        name = name.EndsWith("Statement", StringComparison.Ordinal) ? name[..^"Statement".Length] : name;
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }
}
