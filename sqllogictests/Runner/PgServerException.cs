namespace StreamSql.SqlLogicTest;

/// <summary>An ErrorResponse sent by the server. The connection stays usable after it.</summary>
public sealed class PgServerException : Exception
{
    public PgServerException(IReadOnlyDictionary<char, string> fields)
        : base(Format(fields))
    {
        Fields = fields;
        Severity = Get(fields, 'V') ?? Get(fields, 'S') ?? "ERROR";
        SqlState = Get(fields, 'C') ?? string.Empty;
        MessageText = Get(fields, 'M') ?? string.Empty;
        Detail = Get(fields, 'D');
        Hint = Get(fields, 'H');
        Position = int.TryParse(Get(fields, 'P'), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : null;
    }

    /// <summary>All raw fields of the ErrorResponse keyed by their field type byte.</summary>
    public IReadOnlyDictionary<char, string> Fields { get; }

    public string Severity { get; }

    /// <summary>The five-character SQLSTATE code, e.g. <c>42601</c>.</summary>
    public string SqlState { get; }

    /// <summary>The primary human-readable message (field M).</summary>
    public string MessageText { get; }

    public string? Detail { get; }

    public string? Hint { get; }

    /// <summary>1-based character position of the error in the query string, if the server sent one.</summary>
    public int? Position { get; }

    private static string? Get(IReadOnlyDictionary<char, string> fields, char key) =>
        fields.TryGetValue(key, out var v) ? v : null;

    private static string Format(IReadOnlyDictionary<char, string> fields)
    {
        var severity = Get(fields, 'V') ?? Get(fields, 'S') ?? "ERROR";
        var text = $"{severity}: {Get(fields, 'C') ?? "?????"}: {Get(fields, 'M') ?? "(no message)"}";
        if (Get(fields, 'P') is { } pos)
        {
            text += $" (at position {pos})";
        }
        if (Get(fields, 'D') is { } detail)
        {
            text += $"{Environment.NewLine}DETAIL: {detail}";
        }
        if (Get(fields, 'H') is { } hint)
        {
            text += $"{Environment.NewLine}HINT: {hint}";
        }
        return text;
    }
}
