using Antlr4.Runtime;
using StreamSql.Parser.Errors;

namespace StreamSql.Parser;

/// <summary>Turns the first ANTLR syntax error into a PostgreSQL-style error naming the token and what was expected.</summary>
internal sealed class SyntaxErrorListener : BaseErrorListener
{
    public override void SyntaxError(TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e)
    {
        var parser = (Antlr4.Runtime.Parser)recognizer;
        string near = offendingSymbol.Type == TokenConstants.EOF ? "end of input" : $"\"{offendingSymbol.Text}\"";
        var expected = DescribeExpected(parser, e);
        var message = $"syntax error at or near {near}";
        if (offendingSymbol.Type == TokenConstants.EOF)
        {
            message = "syntax error at end of input";
        }

        throw new SqlException(SqlState.SyntaxError, expected is null ? message : $"{message}; expected {expected}", offendingSymbol.StartIndex < 0 ? 0 : offendingSymbol.StartIndex);
    }

    private static string? DescribeExpected(Antlr4.Runtime.Parser parser, RecognitionException? e)
    {
        // After a failed prediction the expected set is that of the decision's start, which would mislead.
        if (e is NoViableAltException)
        {
            return null;
        }

        Antlr4.Runtime.Misc.IntervalSet? set;
        try
        {
            set = e?.GetExpectedTokens() ?? parser.GetExpectedTokens();
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (set is null || set.Count == 0)
        {
            return null;
        }

        var names = new List<string>();
        foreach (var type in set.ToArray())
        {
            var name = parser.Vocabulary.GetLiteralName(type) ?? parser.Vocabulary.GetSymbolicName(type);
            if (name is null || type == TokenConstants.EOF)
            {
                continue;
            }

            names.Add(name switch
            {
                "IDENTIFIER" or "QUOTED_IDENTIFIER" => "a name",
                "STRING" or "ESCAPE_STRING" => "a string",
                "INTEGER_VALUE" or "DECIMAL_VALUE" => "a number",
                _ => name.Trim('\''),
            });
        }

        names = names.Distinct().ToList();
        if (names.Count == 0)
        {
            return null;
        }

        return names.Count > 8 ? "one of " + string.Join(", ", names.Take(8)) + ", ..." : names.Count == 1 ? names[0] : "one of " + string.Join(", ", names);
    }
}
