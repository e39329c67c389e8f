using System.Globalization;
using System.Text;
using StreamSql.Runtime.Rows;

namespace StreamSql.Server.Pg;

/// <summary>PostgreSQL's COPY line formats: text (tab-separated, \N for NULL, backslash escapes) and CSV (quoted when needed, NULL empty).</summary>
internal static class PgCopyText
{
    /// <summary>Appends one row as a COPY line, newline included.</summary>
    public static void AppendRow(StringBuilder line, Value[] row, int columns, bool csv)
    {
        for (var i = 0; i < columns; i++)
        {
            if (i > 0)
            {
                line.Append(csv ? ',' : '\t');
            }

            var value = row[i];
            if (value.IsNull)
            {
                if (!csv)
                {
                    line.Append("\\N");
                }

                continue;
            }

            AppendField(line, Text(value), csv);
        }

        line.Append('\n');
    }

    /// <summary>Appends a header line (column names).</summary>
    public static void AppendHeader(StringBuilder line, IEnumerable<string> names, bool csv)
    {
        var first = true;
        foreach (var name in names)
        {
            if (!first)
            {
                line.Append(csv ? ',' : '\t');
            }

            first = false;
            AppendField(line, name, csv);
        }

        line.Append('\n');
    }

    /// <summary>A value's text, as in a text-format DataRow.</summary>
    private static string Text(Value value) => value.Kind switch
    {
        ValueKind.String => value.AsString,
        ValueKind.Int or ValueKind.BigInt => value.AsLong.ToString(CultureInfo.InvariantCulture),
        ValueKind.Boolean => value.AsBoolean ? "t" : "f",
        _ => value.ToText()!,
    };

    private static void AppendField(StringBuilder line, string text, bool csv)
    {
        if (csv)
        {
            // An empty string is quoted so that it differs from NULL.
            if (text.Length > 0 && text.AsSpan().IndexOfAny(",\"\r\n") < 0)
            {
                line.Append(text);
                return;
            }

            line.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            return;
        }

        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': line.Append("\\\\"); break;
                case '\t': line.Append("\\t"); break;
                case '\n': line.Append("\\n"); break;
                case '\r': line.Append("\\r"); break;
                case '\b': line.Append("\\b"); break;
                case '\f': line.Append("\\f"); break;
                case '\v': line.Append("\\v"); break;
                default: line.Append(c); break;
            }
        }
    }
}
