namespace StreamSql.SqlLogicTest;

/// <summary>
/// The outcome of one statement of a simple query: its columns (null if the statement returned no
/// RowDescription), its rows in Postgres text format (null entries are SQL NULLs), and the command tag.
/// </summary>
public sealed record PgResultSet(
    IReadOnlyList<PgColumn>? Columns,
    IReadOnlyList<IReadOnlyList<string?>> Rows,
    string? CommandTag)
{
    /// <summary>The row count at the end of the command tag (e.g. 3 for <c>INSERT 0 3</c>), if any.</summary>
    public long? RowsAffected
    {
        get
        {
            if (CommandTag is null)
            {
                return null;
            }
            var idx = CommandTag.LastIndexOf(' ');
            return idx > 0 && long.TryParse(CommandTag.AsSpan(idx + 1), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n
                : null;
        }
    }
}
