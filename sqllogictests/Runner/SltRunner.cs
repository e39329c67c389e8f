using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace StreamSql.SqlLogicTest;

/// <summary>
/// Runs .slt files against a server speaking the Postgres simple query protocol.
/// </summary>
/// <remarks>
/// Every file is run on one fresh connection. Records keep running after a failure. If the
/// connection breaks (timeout, connection lost) the failing record is reported and a new connection
/// is opened for the remaining records (session state is lost; the failure message says so).
/// </remarks>
public sealed class SltRunner
{
    private readonly string _connectionString;

    public SltRunner(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        _connectionString = connectionString;
        // Validate eagerly so a bad connection string fails at construction, not per file.
        _ = PgConnectionSettings.Parse(connectionString);
    }

    /// <summary>Engine name matched by <c>skipif</c>/<c>onlyif</c>.</summary>
    public string EngineName { get; init; } = "streamsql";

    /// <summary>Timeout for a single execution of a record's SQL (each retry attempt has its own).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Delay between attempts of a record with <c>retry</c>.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMilliseconds(75);

    /// <summary>Runs every record of the file and returns all failures (empty = file passed).</summary>
    public async Task<IReadOnlyList<SltFailure>> RunFileAsync(string path, CancellationToken ct = default) =>
        (await RunFileWithSummaryAsync(path, ct).ConfigureAwait(false)).Failures;

    /// <summary>Like <see cref="RunFileAsync"/> but also reports passed/skipped record counts.</summary>
    public async Task<SltFileResult> RunFileWithSummaryAsync(string path, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(path);

        IReadOnlyList<SltRecord> records;
        try
        {
            var text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            records = SltParser.Parse(text, path);
        }
        catch (SltParseException ex)
        {
            return new SltFileResult(path, 0, 0, [new SltFailure(path, ex.Line, string.Empty, $"parse error: {ex.Reason}")]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SltFileResult(path, 0, 0, [new SltFailure(path, 0, string.Empty, $"cannot read file: {ex.Message}")]);
        }

        return await RunRecordsAsync(path, records, ct).ConfigureAwait(false);
    }

    /// <summary>Runs already parsed records on one fresh connection.</summary>
    public async Task<SltFileResult> RunRecordsAsync(string file, IReadOnlyList<SltRecord> records, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var failures = new List<SltFailure>();
        var passed = 0;
        var skipped = 0;
        PgSimpleClient? client = null;
        var reconnectNote = string.Empty;

        try
        {
            for (var index = 0; index < records.Count; index++)
            {
                var record = records[index];
                if (record.IsSkippedFor(EngineName))
                {
                    skipped++;
                    continue;
                }
                if (record is SltHaltRecord)
                {
                    skipped += records.Skip(index + 1).Count(r => r is not SltHaltRecord);
                    break;
                }

                if (client is null || client.IsBroken)
                {
                    if (client is not null)
                    {
                        await client.DisposeAsync().ConfigureAwait(false);
                        client = null;
                        reconnectNote = " [note: running on a new connection because the previous one broke; session state was lost]";
                    }
                    try
                    {
                        client = await PgSimpleClient.ConnectAsync(_connectionString, ct).ConfigureAwait(false);
                        client.QueryTimeout = QueryTimeout;
                    }
                    catch (Exception ex) when (ex is PgProtocolException or PgServerException or TimeoutException)
                    {
                        // Without a connection nothing else can run; report every remaining record once as one failure.
                        var remaining = records.Skip(index).Count(r => r is not SltHaltRecord && !r.IsSkippedFor(EngineName));
                        failures.Add(new SltFailure(file, record.Line, SqlOf(record),
                            $"cannot connect: {ex.Message} ({remaining} record(s) not run)"));
                        break;
                    }
                }

                var message = await RunRecordAsync(client, record, ct).ConfigureAwait(false);
                if (message is null)
                {
                    passed++;
                }
                else
                {
                    failures.Add(new SltFailure(file, record.Line, SqlOf(record), message + reconnectNote));
                }
            }
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }

        return new SltFileResult(file, passed, skipped, failures);
    }

    private static string SqlOf(SltRecord record) => record switch
    {
        SltStatementRecord s => s.Sql,
        SltErrorRecord e => e.Sql,
        SltQueryRecord q => q.Sql,
        _ => string.Empty,
    };

    /// <summary>Runs one record (with retries if requested). Returns null on success, else a failure message.</summary>
    private async Task<string?> RunRecordAsync(PgSimpleClient client, SltRecord record, CancellationToken ct)
    {
        var retry = record switch
        {
            SltStatementRecord s => s.Retry,
            SltErrorRecord e => e.Retry,
            SltQueryRecord q => q.Retry,
            _ => null,
        };

        if (retry is null)
        {
            return await RunOnceAsync(client, record, ct).ConfigureAwait(false);
        }

        var stopwatch = Stopwatch.StartNew();
        var attempts = 0;
        while (true)
        {
            attempts++;
            var message = await RunOnceAsync(client, record, ct).ConfigureAwait(false);
            if (message is null)
            {
                return null;
            }
            if (client.IsBroken)
            {
                return $"{message}{Environment.NewLine}(gave up retrying after {attempts} attempt(s): connection broke)";
            }
            if (stopwatch.Elapsed + RetryInterval > retry.Value)
            {
                return $"{message}{Environment.NewLine}(still failing after retrying for {retry.Value.TotalSeconds:0.###}s, {attempts} attempts; shown is the last attempt)";
            }
            await Task.Delay(RetryInterval, ct).ConfigureAwait(false);
        }
    }

    private static async Task<string?> RunOnceAsync(PgSimpleClient client, SltRecord record, CancellationToken ct)
    {
        PgQueryResult? result = null;
        PgServerException? serverError = null;
        var sql = SqlOf(record);
        try
        {
            result = await client.QueryAsync(sql, ct).ConfigureAwait(false);
        }
        catch (PgServerException ex)
        {
            serverError = ex;
        }
        catch (Exception ex) when (ex is PgProtocolException or TimeoutException)
        {
            return $"{Kind(record)} could not be executed: {ex.Message}";
        }

        return record switch
        {
            SltStatementRecord s => CheckStatement(s, result, serverError),
            SltErrorRecord e => CheckError(e, serverError),
            SltQueryRecord q => CheckQuery(q, result, serverError),
            _ => throw new InvalidOperationException($"unexpected record type {record.GetType().Name}"),
        };
    }

    private static string Kind(SltRecord record) => record switch
    {
        SltQueryRecord => "query",
        SltErrorRecord { IsQuery: true } => "query",
        _ => "statement",
    };

    private static string? CheckStatement(SltStatementRecord record, PgQueryResult? result, PgServerException? error)
    {
        if (error is not null)
        {
            return $"statement failed: {error.Message}";
        }
        if (record.ExpectedCount is { } expected)
        {
            var actual = result!.ResultSets.Count > 0 ? result.ResultSets[^1].RowsAffected : null;
            if (actual != expected)
            {
                var tag = result.ResultSets.Count > 0 ? result.ResultSets[^1].CommandTag : null;
                return $"statement count mismatch: expected {expected} row(s), got {actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no count"} (command tag '{tag}')";
            }
        }
        return null;
    }

    private static string? CheckError(SltErrorRecord record, PgServerException? error)
    {
        var kind = record.IsQuery ? "query" : "statement";
        var expectation = record.ErrorPattern is not null
            ? $"an error matching /{record.ErrorPattern}/"
            : record.ExpectedMessage is not null
                ? $"the error '{record.ExpectedMessage}'"
                : "an error";

        if (error is null)
        {
            return $"{kind} succeeded but {expectation} was expected";
        }

        if (record.ErrorPattern is { } pattern)
        {
            const RegexOptions options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
            if (!Regex.IsMatch(error.MessageText, pattern, options) && !Regex.IsMatch(error.SqlState, pattern, options)
                && !Regex.IsMatch(error.SqlState + ": " + error.MessageText, pattern, options))
            {
                return $"{kind} failed with the wrong error: expected {expectation}, got {error.Message}";
            }
        }

        if (record.ExpectedMessage is { } expectedMessage
            && !string.Equals(error.MessageText.Trim(), expectedMessage, StringComparison.Ordinal)
            && !string.Equals(error.SqlState, expectedMessage, StringComparison.OrdinalIgnoreCase))
        {
            return $"{kind} failed with the wrong error: expected '{expectedMessage}', got {error.Message}";
        }

        return null;
    }

    private static string? CheckQuery(SltQueryRecord record, PgQueryResult? result, PgServerException? error)
    {
        if (error is not null)
        {
            return $"query failed: {error.Message}";
        }

        var set = result!.ResultSets.LastOrDefault(r => r.Columns is not null);
        if (set is null)
        {
            return $"query returned no result set (command tag '{result.ResultSets.LastOrDefault()?.CommandTag}'); use 'statement ok' for statements";
        }

        var columns = set.Columns!;
        var actualLines = set.Rows.Select(RenderRow).ToList();
        var expectedLines = record.ExpectedLines.ToList();

        var sb = new StringBuilder();
        if (columns.Count != record.TypeString.Length)
        {
            sb.Append(CultureFormat($"query column count mismatch: type string '{record.TypeString}' declares {record.TypeString.Length} column(s), result has {columns.Count} ({string.Join(", ", columns.Select(c => c.Name))})"));
        }

        var expectedCmp = Normalize(expectedLines, record.SortMode);
        var actualCmp = Normalize(actualLines, record.SortMode);
        var resultsEqual = expectedCmp.SequenceEqual(actualCmp, StringComparer.Ordinal);
        if (resultsEqual && sb.Length == 0)
        {
            return null;
        }

        if (!resultsEqual)
        {
            if (sb.Length > 0)
            {
                sb.AppendLine();
            }
            var sortNote = record.SortMode == SltSortMode.NoSort ? string.Empty : $", compared after {record.SortMode.ToString().ToLowerInvariant()}";
            sb.Append(CultureFormat($"query result mismatch (expected {expectedLines.Count} line(s), got {actualLines.Count} row(s){sortNote})"));
        }

        sb.AppendLine();
        sb.Append("columns: ").Append(string.Join(", ", columns.Select(c => c.Name)));
        sb.AppendLine();
        AppendDiff(sb, expectedCmp, actualCmp);
        return sb.ToString();
    }

    private static string CultureFormat(FormattableString s) => FormattableString.Invariant(s);

    /// <summary>Renders a row: values separated by single spaces, NULL as <c>NULL</c>, empty string as <c>(empty)</c>.</summary>
    internal static string RenderRow(IReadOnlyList<string?> row) =>
        string.Join(' ', row.Select(v => v switch
        {
            null => "NULL",
            "" => "(empty)",
            _ => v,
        }));

    /// <summary>
    /// Whitespace-normalizes each line (trim, collapse runs of blanks) and applies the sort mode:
    /// rowsort sorts lines ordinally; valuesort splits everything into whitespace separated values and sorts them.
    /// </summary>
    internal static IReadOnlyList<string> Normalize(IEnumerable<string> lines, SltSortMode sortMode)
    {
        var normalized = lines.Select(NormalizeLine).ToList();
        switch (sortMode)
        {
            case SltSortMode.RowSort:
                normalized.Sort(StringComparer.Ordinal);
                return normalized;
            case SltSortMode.ValueSort:
                var values = normalized.SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
                values.Sort(StringComparer.Ordinal);
                return values;
            default:
                return normalized;
        }
    }

    private static string NormalizeLine(string line) =>
        string.Join(' ', line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// Appends a unified-style listing: <c>' '</c> common, <c>'-'</c> only expected, <c>'+'</c> only actual.
    /// Common lines further than <see cref="DiffContext"/> lines from a change are elided, and the listing is
    /// capped at <see cref="MaxDiffLines"/> lines.
    /// </summary>
    internal static void AppendDiff(StringBuilder sb, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        sb.Append("--- expected").AppendLine();
        sb.Append("+++ actual");

        var ops = ComputeDiff(expected, actual);
        var keep = new bool[ops.Count];
        for (var k = 0; k < ops.Count; k++)
        {
            if (ops[k].Op != ' ')
            {
                for (var c = Math.Max(0, k - DiffContext); c <= Math.Min(ops.Count - 1, k + DiffContext); c++)
                {
                    keep[c] = true;
                }
            }
        }
        if (!ops.Any(o => o.Op != ' '))
        {
            Array.Fill(keep, true); // identical rows (e.g. only the column count differs): show them all
        }

        var written = 0;
        var elided = 0;
        for (var k = 0; k < ops.Count; k++)
        {
            if (!keep[k])
            {
                elided++;
                continue;
            }
            if (elided > 0)
            {
                sb.AppendLine().Append(CultureFormat($"  ... ({elided} matching line(s))"));
                elided = 0;
            }
            if (written == MaxDiffLines)
            {
                sb.AppendLine().Append(CultureFormat($"  ... (listing truncated, {ops.Count - k} more line(s))"));
                return;
            }
            sb.AppendLine().Append(ops[k].Op).Append(' ').Append(ops[k].Text);
            written++;
        }
        if (elided > 0)
        {
            sb.AppendLine().Append(CultureFormat($"  ... ({elided} matching line(s))"));
        }
    }

    private const int DiffContext = 3;

    private const int MaxDiffLines = 400;

    private static List<(char Op, string Text)> ComputeDiff(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var ops = new List<(char Op, string Text)>(expected.Count + actual.Count);

        // Strip the common prefix and suffix first so long, mostly equal results stay cheap.
        var prefix = 0;
        while (prefix < expected.Count && prefix < actual.Count && string.Equals(expected[prefix], actual[prefix], StringComparison.Ordinal))
        {
            prefix++;
        }
        var suffix = 0;
        while (suffix < expected.Count - prefix && suffix < actual.Count - prefix
            && string.Equals(expected[expected.Count - 1 - suffix], actual[actual.Count - 1 - suffix], StringComparison.Ordinal))
        {
            suffix++;
        }
        for (var k = 0; k < prefix; k++)
        {
            ops.Add((' ', expected[k]));
        }

        var n = expected.Count - prefix - suffix;
        var m = actual.Count - prefix - suffix;
        const long maxCells = 4_000_000;
        if ((long)n * m > maxCells)
        {
            for (var k = 0; k < n; k++)
            {
                ops.Add(('-', expected[prefix + k]));
            }
            for (var k = 0; k < m; k++)
            {
                ops.Add(('+', actual[prefix + k]));
            }
        }
        else
        {
            // Longest common subsequence table of the middle part, filled from the end.
            var lcs = new int[n + 1, m + 1];
            for (var i = n - 1; i >= 0; i--)
            {
                for (var j = m - 1; j >= 0; j--)
                {
                    lcs[i, j] = string.Equals(expected[prefix + i], actual[prefix + j], StringComparison.Ordinal)
                        ? lcs[i + 1, j + 1] + 1
                        : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
                }
            }

            int x = 0, y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && string.Equals(expected[prefix + x], actual[prefix + y], StringComparison.Ordinal))
                {
                    ops.Add((' ', expected[prefix + x]));
                    x++;
                    y++;
                }
                else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1]))
                {
                    ops.Add(('-', expected[prefix + x]));
                    x++;
                }
                else
                {
                    ops.Add(('+', actual[prefix + y]));
                    y++;
                }
            }
        }

        for (var k = expected.Count - suffix; k < expected.Count; k++)
        {
            ops.Add((' ', expected[k]));
        }
        return ops;
    }
}
