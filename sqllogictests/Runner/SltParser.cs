using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamSql.SqlLogicTest;

/// <summary>
/// Parser for the sqllogictest format as used by RisingWave / DataFusion (sqllogictest-rs), plus a
/// <c>retry &lt;duration&gt;</c> header option for streaming results.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Records are separated by blank (or whitespace-only) lines.</item>
/// <item>Lines starting with <c>#</c> are comments between records and inside SQL. Inside the expected
/// result section (after <c>----</c>) every line is data.</item>
/// <item><c>skipif &lt;engine&gt;</c> / <c>onlyif &lt;engine&gt;</c> lines directly precede a record header.</item>
/// <item>Headers: <c>statement ok</c>, <c>statement count &lt;n&gt;</c>, <c>statement error [regex]</c>,
/// <c>query &lt;types&gt; [rowsort|valuesort|nosort]</c>, <c>query error [regex]</c>, <c>halt</c>,
/// <c>control sortmode &lt;mode&gt;</c> (default sort mode for later queries), <c>hash-threshold &lt;n&gt;</c> (ignored).</item>
/// <item>Every statement/query header may end with <c>retry &lt;duration&gt;</c>, duration being e.g. <c>10s</c>,
/// <c>500ms</c>, <c>1m</c> or a bare number of seconds.</item>
/// </list>
/// </remarks>
public static class SltParser
{
    private const string ResultSeparator = "----";

    private static readonly char[] Whitespace = [' ', '\t'];

    private static readonly Regex TrailingRetry = new(
        @"^(?<rest>.*?)\s*\bretry\s+(?<dur>\S+)\s*$",
        RegexOptions.CultureInvariant);

    private static readonly Regex DurationPattern = new(
        @"^(?<num>\d+(\.\d+)?)(?<unit>ms|s|m)?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    public static IReadOnlyList<SltRecord> Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);

        var lines = text.Split('\n');
        for (var k = 0; k < lines.Length; k++)
        {
            lines[k] = lines[k].TrimEnd('\r');
        }

        var records = new List<SltRecord>();
        var defaultSort = SltSortMode.NoSort;
        var conditions = new List<SltCondition>();
        var conditionLine = 0;
        var i = 0;

        while (i < lines.Length)
        {
            var line = lines[i];
            var lineNo = i + 1;

            if (IsBlank(line))
            {
                if (conditions.Count > 0)
                {
                    throw new SltParseException(fileName, conditionLine, "skipif/onlyif must be directly followed by a record");
                }
                i++;
                continue;
            }

            if (IsComment(line))
            {
                i++;
                continue;
            }

            var tokens = line.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries);
            var keyword = tokens[0];

            switch (keyword)
            {
                case "skipif":
                case "onlyif":
                    if (tokens.Length != 2)
                    {
                        throw new SltParseException(fileName, lineNo, $"expected '{keyword} <engine>'");
                    }
                    if (conditions.Count == 0)
                    {
                        conditionLine = lineNo;
                    }
                    conditions.Add(new SltCondition(
                        keyword == "skipif" ? SltConditionKind.SkipIf : SltConditionKind.OnlyIf,
                        tokens[1]));
                    i++;
                    continue;

                case "halt":
                    if (tokens.Length != 1)
                    {
                        throw new SltParseException(fileName, lineNo, "'halt' takes no arguments");
                    }
                    records.Add(new SltHaltRecord(fileName, lineNo, conditions.ToArray()));
                    conditions.Clear();
                    i = SkipToRecordEnd(lines, i + 1, fileName, "halt");
                    continue;

                case "control":
                    if (conditions.Count > 0)
                    {
                        throw new SltParseException(fileName, lineNo, "skipif/onlyif cannot apply to 'control'");
                    }
                    if (tokens.Length != 3 || tokens[1] != "sortmode")
                    {
                        throw new SltParseException(fileName, lineNo, "only 'control sortmode <rowsort|valuesort|nosort>' is supported");
                    }
                    defaultSort = ParseSortMode(tokens[2])
                        ?? throw new SltParseException(fileName, lineNo, $"unknown sort mode '{tokens[2]}'");
                    i = SkipToRecordEnd(lines, i + 1, fileName, "control");
                    continue;

                case "hash-threshold":
                    if (conditions.Count > 0)
                    {
                        throw new SltParseException(fileName, lineNo, "skipif/onlyif cannot apply to 'hash-threshold'");
                    }
                    i = SkipToRecordEnd(lines, i + 1, fileName, "hash-threshold");
                    continue;

                case "statement":
                {
                    var (record, next) = ParseStatement(lines, i, fileName, conditions.ToArray());
                    records.Add(record);
                    conditions.Clear();
                    i = next;
                    continue;
                }

                case "query":
                {
                    var (record, next) = ParseQuery(lines, i, fileName, conditions.ToArray(), defaultSort);
                    records.Add(record);
                    conditions.Clear();
                    i = next;
                    continue;
                }

                default:
                    throw new SltParseException(fileName, lineNo, $"unknown record type '{keyword}'");
            }
        }

        if (conditions.Count > 0)
        {
            throw new SltParseException(fileName, conditionLine, "skipif/onlyif at end of file is not followed by a record");
        }

        return records;
    }

    private static (SltRecord Record, int Next) ParseStatement(string[] lines, int headerIndex, string file, SltCondition[] conditions)
    {
        var lineNo = headerIndex + 1;
        var header = lines[headerIndex].Trim();
        var rest = header["statement".Length..].Trim();
        var (mode, modeArgs) = SplitFirstWord(rest);

        var (sqlLines, expected, hasSeparator, next) = ReadBody(lines, headerIndex + 1);
        var sql = JoinSql(sqlLines, file, lineNo);

        switch (mode)
        {
            case "ok":
            {
                var (args, retry) = ExtractRetry(modeArgs, file, lineNo);
                if (args.Length > 0)
                {
                    throw new SltParseException(file, lineNo, $"unexpected text after 'statement ok': '{args}'");
                }
                if (hasSeparator)
                {
                    throw new SltParseException(file, lineNo, "'statement ok' must not have a '----' result section");
                }
                return (new SltStatementRecord(file, lineNo, conditions, sql, null, retry), next);
            }

            case "count":
            {
                var (args, retry) = ExtractRetry(modeArgs, file, lineNo);
                if (!long.TryParse(args, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    throw new SltParseException(file, lineNo, "expected 'statement count <n>'");
                }
                if (hasSeparator)
                {
                    throw new SltParseException(file, lineNo, "'statement count' must not have a '----' result section");
                }
                return (new SltStatementRecord(file, lineNo, conditions, sql, count, retry), next);
            }

            case "error":
                return (MakeErrorRecord(file, lineNo, conditions, sql, modeArgs, expected, hasSeparator, isQuery: false), next);

            default:
                throw new SltParseException(file, lineNo, $"expected 'statement ok', 'statement count <n>' or 'statement error [regex]', got '{header}'");
        }
    }

    private static (SltRecord Record, int Next) ParseQuery(
        string[] lines, int headerIndex, string file, SltCondition[] conditions, SltSortMode defaultSort)
    {
        var lineNo = headerIndex + 1;
        var header = lines[headerIndex].Trim();
        var rest = header["query".Length..].Trim();
        var (first, firstArgs) = SplitFirstWord(rest);

        var (sqlLines, expected, hasSeparator, next) = ReadBody(lines, headerIndex + 1);
        var sql = JoinSql(sqlLines, file, lineNo);

        if (first == "error")
        {
            return (MakeErrorRecord(file, lineNo, conditions, sql, firstArgs, expected, hasSeparator, isQuery: true), next);
        }

        if (first.Length == 0)
        {
            throw new SltParseException(file, lineNo, "expected 'query <types> [sortmode] [retry <duration>]'");
        }
        if (!first.All(char.IsAsciiLetter))
        {
            throw new SltParseException(file, lineNo, $"invalid column type string '{first}' (one letter per column, e.g. 'ITR')");
        }

        var (args, retry) = ExtractRetry(firstArgs, file, lineNo);
        var sort = defaultSort;
        var options = args.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries);
        if (options.Length > 1)
        {
            throw new SltParseException(file, lineNo, $"unexpected query options '{args}' (expected [rowsort|valuesort|nosort] [retry <duration>])");
        }
        if (options.Length == 1)
        {
            sort = ParseSortMode(options[0])
                ?? throw new SltParseException(file, lineNo, $"unknown query option '{options[0]}' (expected rowsort, valuesort, nosort or retry <duration>)");
        }

        return (new SltQueryRecord(file, lineNo, conditions, sql, first, sort, expected, retry), next);
    }

    private static SltErrorRecord MakeErrorRecord(
        string file, int lineNo, SltCondition[] conditions, string sql, string headerArgs,
        IReadOnlyList<string> expected, bool hasSeparator, bool isQuery)
    {
        var (pattern, retry) = ExtractRetry(headerArgs, file, lineNo, lenient: true);
        string? regex = pattern.Length == 0 ? null : pattern;
        if (regex is not null)
        {
            try
            {
                _ = new Regex(regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            }
            catch (ArgumentException ex)
            {
                throw new SltParseException(file, lineNo, $"invalid error regex '{regex}': {ex.Message}");
            }
        }

        string? expectedMessage = null;
        if (hasSeparator)
        {
            expectedMessage = string.Join('\n', expected).Trim();
            if (expectedMessage.Length == 0)
            {
                expectedMessage = null;
            }
        }

        return new SltErrorRecord(file, lineNo, conditions, sql, regex, expectedMessage, isQuery, retry);
    }

    /// <summary>
    /// Reads the lines after a header up to the next blank line: SQL lines (comments dropped) and, if a
    /// <c>----</c> line occurs, the result lines after it (kept verbatim).
    /// </summary>
    private static (List<string> Sql, List<string> Expected, bool HasSeparator, int Next) ReadBody(string[] lines, int start)
    {
        var sql = new List<string>();
        var expected = new List<string>();
        var hasSeparator = false;
        var i = start;
        for (; i < lines.Length && !IsBlank(lines[i]); i++)
        {
            var line = lines[i];
            if (hasSeparator)
            {
                expected.Add(line);
            }
            else if (line.TrimEnd() == ResultSeparator)
            {
                hasSeparator = true;
            }
            else if (!IsComment(line))
            {
                sql.Add(line);
            }
        }
        return (sql, expected, hasSeparator, i);
    }

    private static string JoinSql(List<string> sqlLines, string file, int lineNo)
    {
        var sql = string.Join('\n', sqlLines).Trim();
        if (sql.Length == 0)
        {
            throw new SltParseException(file, lineNo, "record has no SQL");
        }
        return sql;
    }

    private static int SkipToRecordEnd(string[] lines, int start, string file, string what)
    {
        var i = start;
        for (; i < lines.Length && !IsBlank(lines[i]); i++)
        {
            if (!IsComment(lines[i]))
            {
                throw new SltParseException(file, i + 1, $"unexpected line after '{what}' (records must be separated by a blank line)");
            }
        }
        return i;
    }

    /// <summary>Splits a trailing <c>retry &lt;duration&gt;</c> off a header's argument text.</summary>
    /// <remarks>
    /// In <paramref name="lenient"/> mode (error regexes) a trailing <c>retry xyz</c> whose <c>xyz</c> is not a
    /// duration is left as part of the text instead of being a parse error.
    /// </remarks>
    private static (string Remainder, TimeSpan? Retry) ExtractRetry(string args, string file, int lineNo, bool lenient = false)
    {
        var m = TrailingRetry.Match(args);
        if (!m.Success)
        {
            return (args.Trim(), null);
        }
        var parsed = ParseDuration(m.Groups["dur"].Value);
        if (parsed is null && lenient)
        {
            return (args.Trim(), null);
        }
        var retry = parsed
            ?? throw new SltParseException(file, lineNo, $"invalid retry duration '{m.Groups["dur"].Value}' (use e.g. 10s, 500ms, 1m)");
        if (retry <= TimeSpan.Zero)
        {
            throw new SltParseException(file, lineNo, "retry duration must be positive");
        }
        return (m.Groups["rest"].Value.Trim(), retry);
    }

    /// <summary>Parses <c>10s</c>, <c>500ms</c>, <c>1m</c>, <c>1.5s</c> or a bare number of seconds.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        var m = DurationPattern.Match(text.Trim());
        if (!m.Success)
        {
            return null;
        }
        var value = double.Parse(m.Groups["num"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return m.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "m" => TimeSpan.FromMinutes(value),
            _ => TimeSpan.FromSeconds(value),
        };
    }

    private static SltSortMode? ParseSortMode(string text) => text switch
    {
        "nosort" => SltSortMode.NoSort,
        "rowsort" => SltSortMode.RowSort,
        "valuesort" => SltSortMode.ValueSort,
        _ => null,
    };

    private static (string First, string Remainder) SplitFirstWord(string text)
    {
        text = text.Trim();
        var idx = text.IndexOfAny(Whitespace);
        return idx < 0 ? (text, string.Empty) : (text[..idx], text[(idx + 1)..].Trim());
    }

    private static bool IsBlank(string line) => string.IsNullOrWhiteSpace(line);

    private static bool IsComment(string line) => line.TrimStart().StartsWith('#');
}
