using System.Text;
using System.Text.RegularExpressions;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>LIKE/ILIKE: the pattern is translated to a regex once and reused while it does not change.</summary>
public sealed class LikeMatcher
{
    private readonly bool _caseInsensitive;

    // One immutable entry swapped as a whole, so partition tasks can share a compiled expression.
    private CompiledPattern? _cache;

    public LikeMatcher(bool caseInsensitive) => _caseInsensitive = caseInsensitive;

    public Value Match(Value input, Value pattern, Value escape, bool negated)
    {
        if (input.IsNull || pattern.IsNull)
        {
            return Value.Null;
        }

        var escapeText = escape.IsNull ? "\\" : escape.AsString;
        var cache = Volatile.Read(ref _cache);
        if (cache is null || !string.Equals(cache.Pattern, pattern.AsString, StringComparison.Ordinal) || cache.Escape != escapeText)
        {
            var regex = new Regex(Translate(pattern.AsString, escapeText),
                RegexOptions.Singleline | RegexOptions.CultureInvariant | (_caseInsensitive ? RegexOptions.IgnoreCase : RegexOptions.None));
            cache = new CompiledPattern(pattern.AsString, escapeText, regex);
            Volatile.Write(ref _cache, cache);
        }

        return Value.FromBoolean(cache.Regex.IsMatch(input.AsString) != negated);
    }

    private static string Translate(string pattern, string escape)
    {
        if (escape.Length > 1)
        {
            throw new SqlException(SqlState.InvalidEscapeSequence, "invalid escape string", hint: "Escape string must be empty or one character.");
        }

        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (escape.Length == 1 && c == escape[0])
            {
                if (i + 1 >= pattern.Length)
                {
                    throw new SqlException(SqlState.InvalidEscapeSequence, "LIKE pattern must not end with escape character");
                }

                sb.Append(Regex.Escape(pattern[++i].ToString()));
            }
            else if (c == '%')
            {
                sb.Append(".*");
            }
            else if (c == '_')
            {
                sb.Append('.');
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }

        return sb.Append('$').ToString();
    }

    private sealed record CompiledPattern(string Pattern, string Escape, Regex Regex);
}
