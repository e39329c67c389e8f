using System.Text;
using StreamSql.Parser.Errors;

namespace StreamSql.Planner.Types;

/// <summary>
/// PostgreSQL 15's array_in for one-dimensional arrays: '{1, "a b", NULL}'. White space around elements is ignored,
/// double quotes and backslashes quote, an unquoted NULL (any case) is SQL NULL; malformed input fails with 22P02.
/// Multidimensional arrays and dimension decorations ('[1:2]={...}') are not supported yet (0A000).
/// </summary>
public static class ArrayLiteral
{
    /// <summary>The element texts in order; null for a NULL element. Each still has to be read by the element type's input function.</summary>
    public static List<string?> Parse(string text, int? position = null)
    {
        var elements = new List<string?>();
        var i = SkipSpace(text, 0);
        if (i >= text.Length || text[i] != '{')
        {
            if (i < text.Length && text[i] == '[')
            {
                throw SqlException.NotSupported("array dimension decorations", position);
            }

            throw Malformed(text, "Array value must start with \"{\" or dimension information.", position);
        }

        i = SkipSpace(text, i + 1);
        if (i < text.Length && text[i] == '}')
        {
            return Finish(text, i + 1, elements, position);
        }

        var element = new StringBuilder();
        while (true)
        {
            i = SkipSpace(text, i);
            if (i >= text.Length)
            {
                throw Malformed(text, "Unexpected end of input.", position);
            }

            switch (text[i])
            {
                case '{':
                    throw SqlException.NotSupported("multidimensional arrays", position);
                case ',' or '}':
                    throw Malformed(text, $"Unexpected \"{text[i]}\" character.", position);
            }

            element.Clear();
            var isNullable = true;
            if (text[i] == '"')
            {
                isNullable = false;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw Malformed(text, "Unexpected end of input.", position);
                    }

                    var c = text[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        if (i >= text.Length)
                        {
                            throw Malformed(text, "Unexpected end of input.", position);
                        }

                        c = text[i++];
                    }

                    element.Append(c);
                }

                i = SkipSpace(text, i);
                if (i >= text.Length)
                {
                    throw Malformed(text, "Unexpected end of input.", position);
                }

                if (text[i] is not (',' or '}'))
                {
                    throw Malformed(text, "Unexpected array element.", position);
                }
            }
            else
            {
                // Unquoted: up to the next unescaped , or }; trailing white space is dropped unless escaped.
                var keep = 0;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw Malformed(text, "Unexpected end of input.", position);
                    }

                    var c = text[i];
                    if (c is ',' or '}')
                    {
                        break;
                    }

                    i++;
                    switch (c)
                    {
                        case '"':
                            throw Malformed(text, "Unexpected array element.", position);
                        case '{':
                            throw Malformed(text, "Unexpected \"{\" character.", position);
                        case '\\':
                            if (i >= text.Length)
                            {
                                throw Malformed(text, "Unexpected end of input.", position);
                            }

                            isNullable = false;
                            element.Append(text[i++]);
                            keep = element.Length;
                            break;
                        default:
                            element.Append(c);
                            if (!IsSpace(c))
                            {
                                keep = element.Length;
                            }

                            break;
                    }
                }

                element.Length = keep;
            }

            var value = element.ToString();
            elements.Add(isNullable && value.Equals("NULL", StringComparison.OrdinalIgnoreCase) ? null : value);
            if (text[i++] == '}')
            {
                return Finish(text, i, elements, position);
            }
        }
    }

    /// <summary>The element constants (see BoundLiteral) of an array literal read as the element type; null for NULL elements.</summary>
    public static object?[] ReadConstants(string text, SqlType element, int? position) =>
        Parse(text, position).Select(item => item is null ? null : TextValues.Parse(item, element, position)).ToArray();

    /// <summary>
    /// PostgreSQL's array_out over element texts: {1,2,NULL}; an element is double-quoted when it is empty, is NULL spelled
    /// out, or holds a brace, comma, double quote, backslash or white space, with " and \ escaped by a backslash.
    /// </summary>
    public static string Format(IEnumerable<string?> elements)
    {
        var sb = new StringBuilder("{");
        var first = true;
        foreach (var text in elements)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            if (text is null)
            {
                sb.Append("NULL");
            }
            else if (text.Length > 0 && !text.Equals("NULL", StringComparison.OrdinalIgnoreCase) && text.AsSpan().IndexOfAny("{}\",\\ \t\n\r\v\f") < 0)
            {
                sb.Append(text);
            }
            else
            {
                sb.Append('"').Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
            }
        }

        return sb.Append('}').ToString();
    }

    /// <summary>Checks that text reads as an array of the element type (malformed literals and bad elements fail as in PostgreSQL).</summary>
    public static void Validate(string text, SqlType element, int? position)
    {
        foreach (var item in Parse(text, position))
        {
            if (item is not null)
            {
                TextValues.Parse(item, element, position);
            }
        }
    }

    private static List<string?> Finish(string text, int i, List<string?> elements, int? position) =>
        SkipSpace(text, i) < text.Length ? throw Malformed(text, "Junk after closing right brace.", position) : elements;

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>array_isspace: the white space array_in skips (space, tab, newlines, vertical tab, form feed).</summary>
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';

    private static SqlException Malformed(string text, string detail, int? position) =>
        new(SqlState.InvalidTextRepresentation, $"malformed array literal: \"{text}\"", position, detail: detail);
}
