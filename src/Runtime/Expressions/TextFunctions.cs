using System.Text;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>PostgreSQL's string functions beyond the basics (initcap, pad, split_part, ...); NULL in, NULL out.</summary>
public static class TextFunctions
{
    public static Value Initcap(Value s)
    {
        if (s.IsNull)
        {
            return s;
        }

        var chars = s.AsString.ToCharArray();
        var startOfWord = true;
        for (var i = 0; i < chars.Length; i++)
        {
            var alphanumeric = char.IsAsciiLetterOrDigit(chars[i]) || (chars[i] > 127 && char.IsLetterOrDigit(chars[i]));
            chars[i] = !alphanumeric ? chars[i] : startOfWord ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
            startOfWord = !alphanumeric;
        }

        return Value.FromString(new string(chars));
    }

    public static Value Ltrim(Value s) => s.IsNull ? s : Value.FromString(s.AsString.TrimStart(' '));

    public static Value Rtrim(Value s) => s.IsNull ? s : Value.FromString(s.AsString.TrimEnd(' '));

    public static Value Replace(Value s, Value from, Value to)
    {
        if (s.IsNull || from.IsNull || to.IsNull)
        {
            return Value.Null;
        }

        return from.AsString.Length == 0 ? s : Value.FromString(s.AsString.Replace(from.AsString, to.AsString, StringComparison.Ordinal));
    }

    /// <summary>left(s, n): the first n characters; a negative n drops the last |n|.</summary>
    public static Value Left(Value s, Value n)
    {
        if (s.IsNull || n.IsNull)
        {
            return Value.Null;
        }

        var text = s.AsString;
        var count = n.AsInt >= 0 ? Math.Min(n.AsInt, text.Length) : Math.Max(text.Length + n.AsInt, 0);
        return Value.FromString(text[..count]);
    }

    /// <summary>right(s, n): the last n characters; a negative n drops the first |n|.</summary>
    public static Value Right(Value s, Value n)
    {
        if (s.IsNull || n.IsNull)
        {
            return Value.Null;
        }

        var text = s.AsString;
        var count = n.AsInt >= 0 ? Math.Min(n.AsInt, text.Length) : Math.Max(text.Length + n.AsInt, 0);
        return Value.FromString(text[(text.Length - count)..]);
    }

    public static Value Reverse(Value s)
    {
        if (s.IsNull)
        {
            return s;
        }

        var chars = s.AsString.ToCharArray();
        Array.Reverse(chars);
        return Value.FromString(new string(chars));
    }

    public static Value Repeat(Value s, Value n)
    {
        if (s.IsNull || n.IsNull)
        {
            return Value.Null;
        }

        var count = Math.Max(n.AsInt, 0);
        if ((long)count * s.AsString.Length > 100_000_000)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, "requested length too large");
        }

        return Value.FromString(string.Concat(Enumerable.Repeat(s.AsString, count)));
    }

    public static Value Lpad(Value s, Value length) => Pad(s, length, Value.FromString(" "), left: true);

    public static Value Lpad(Value s, Value length, Value fill) => Pad(s, length, fill, left: true);

    public static Value Rpad(Value s, Value length) => Pad(s, length, Value.FromString(" "), left: false);

    public static Value Rpad(Value s, Value length, Value fill) => Pad(s, length, fill, left: false);

    // PostgreSQL truncates to the length when the string is longer, keeping its start.
    private static Value Pad(Value s, Value length, Value fill, bool left)
    {
        if (s.IsNull || length.IsNull || fill.IsNull)
        {
            return Value.Null;
        }

        var text = s.AsString;
        var target = Math.Max(length.AsInt, 0);
        if (text.Length >= target || fill.AsString.Length == 0)
        {
            return Value.FromString(text[..Math.Min(text.Length, target)]);
        }

        var sb = new StringBuilder(target);
        var padding = target - text.Length;
        for (var i = 0; i < padding; i++)
        {
            sb.Append(fill.AsString[i % fill.AsString.Length]);
        }

        return Value.FromString(left ? sb.Append(text).ToString() : text + sb);
    }

    public static Value Strpos(Value s, Value sub) =>
        s.IsNull || sub.IsNull ? Value.Null : Value.FromInt(s.AsString.IndexOf(sub.AsString, StringComparison.Ordinal) + 1);

    public static Value StartsWith(Value s, Value prefix) =>
        s.IsNull || prefix.IsNull ? Value.Null : Value.FromBoolean(s.AsString.StartsWith(prefix.AsString, StringComparison.Ordinal));

    /// <summary>split_part(s, delimiter, n): field n (1-based; negative counts from the end).</summary>
    public static Value SplitPart(Value s, Value delimiter, Value n)
    {
        if (s.IsNull || delimiter.IsNull || n.IsNull)
        {
            return Value.Null;
        }

        if (n.AsInt == 0)
        {
            throw new SqlException(SqlState.InvalidParameterValue, "field position must not be zero");
        }

        var text = s.AsString;
        var separator = delimiter.AsString;
        if (n.AsInt > 0 && separator.Length > 0)
        {
            // Field n found by scanning, without splitting the whole string (q22 takes three fields of every URL).
            var start = 0;
            for (var field = 1; field < n.AsInt; field++)
            {
                var next = text.IndexOf(separator, start, StringComparison.Ordinal);
                if (next < 0)
                {
                    return Value.FromString("");
                }

                start = next + separator.Length;
            }

            var end = text.IndexOf(separator, start, StringComparison.Ordinal);
            return Value.FromString(end < 0 ? text[start..] : text[start..end]);
        }

        var fields = separator.Length == 0 ? (text.Length == 0 ? [] : [text]) : text.Split(separator);
        var index = n.AsInt > 0 ? n.AsInt - 1 : fields.Length + n.AsInt;
        return Value.FromString(index >= 0 && index < fields.Length ? fields[index] : "");
    }

    public static Value Ascii(Value s) => s.IsNull ? s : Value.FromInt(s.AsString.Length == 0 ? 0 : char.ConvertToUtf32(s.AsString, 0));

    public static Value Chr(Value code)
    {
        if (code.IsNull)
        {
            return code;
        }

        var c = code.AsInt;
        if (c == 0)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, "null character not permitted");
        }

        return c is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF)
            ? throw new SqlException(SqlState.ProgramLimitExceeded, "requested character too large for encoding: " + c)
            : Value.FromString(char.ConvertFromUtf32(c));
    }

    /// <summary>concat_ws(separator, ...): joins the non-NULL arguments; NULL separator gives NULL.</summary>
    public static Value ConcatWs(Value[] args)
    {
        if (args[0].IsNull)
        {
            return Value.Null;
        }

        var sb = new StringBuilder();
        var first = true;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i].IsNull)
            {
                continue;
            }

            if (!first)
            {
                sb.Append(args[0].AsString);
            }

            sb.Append(args[i].ToText());
            first = false;
        }

        return Value.FromString(sb.ToString());
    }

    /// <summary>json -> key|index (JSON text of the member) and json ->> key|index (its text; strings unquoted); NULL when absent.</summary>
    public static Value JsonGet(Value json, Value key, bool asText)
    {
        if (json.IsNull || key.IsNull)
        {
            return Value.Null;
        }

        System.Text.Json.JsonDocument document;
        try
        {
            document = System.Text.Json.JsonDocument.Parse(json.AsString);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new SqlException(SqlState.InvalidTextRepresentation, "invalid input syntax for type json", detail: e.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            System.Text.Json.JsonElement element;
            if (key.Kind == ValueKind.Int)
            {
                var index = key.AsInt;
                if (root.ValueKind != System.Text.Json.JsonValueKind.Array)
                {
                    return Value.Null;
                }

                var length = root.GetArrayLength();
                index = index < 0 ? length + index : index;
                if (index < 0 || index >= length)
                {
                    return Value.Null;
                }

                element = root[index];
            }
            else if (root.ValueKind != System.Text.Json.JsonValueKind.Object || !root.TryGetProperty(key.AsString, out element))
            {
                return Value.Null;
            }

            return asText
                ? element.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.Null => Value.Null,
                    System.Text.Json.JsonValueKind.String => Value.FromString(element.GetString()),
                    _ => Value.FromString(element.GetRawText()),
                }
                : Value.FromString(element.GetRawText());
        }
    }

    /// <summary>ksqlDB's EXTRACTJSONFIELD(json, '$.a.b[0]'): the value at the path as text (strings unquoted); NULL when absent or not JSON.</summary>
    public static Value Extractjsonfield(Value json, Value path)
    {
        if (json.IsNull || path.IsNull)
        {
            return Value.Null;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json.AsString);
            var element = document.RootElement;
            var p = path.AsString.Trim();
            if (!p.StartsWith('$'))
            {
                return Value.Null;
            }

            var i = 1;
            while (i < p.Length)
            {
                if (p[i] == '.')
                {
                    var end = p.IndexOfAny(['.', '['], i + 1);
                    end = end < 0 ? p.Length : end;
                    if (element.ValueKind != System.Text.Json.JsonValueKind.Object || !element.TryGetProperty(p[(i + 1)..end], out element))
                    {
                        return Value.Null;
                    }

                    i = end;
                }
                else if (p[i] == '[')
                {
                    var end = p.IndexOf(']', i);
                    if (end < 0 || !int.TryParse(p.AsSpan(i + 1, end - i - 1), out var index) || element.ValueKind != System.Text.Json.JsonValueKind.Array
                        || index < 0 || index >= element.GetArrayLength())
                    {
                        return Value.Null;
                    }

                    element = element[index];
                    i = end + 1;
                }
                else
                {
                    return Value.Null;
                }
            }

            return element.ValueKind switch
            {
                System.Text.Json.JsonValueKind.Null => Value.Null,
                System.Text.Json.JsonValueKind.String => Value.FromString(element.GetString()),
                _ => Value.FromString(element.GetRawText()),
            };
        }
        catch (System.Text.Json.JsonException)
        {
            return Value.Null;
        }
    }
}
