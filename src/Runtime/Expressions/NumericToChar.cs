using System.Globalization;
using System.Text;
using StreamSql.Parser.Errors;
using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Expressions;

/// <summary>
/// to_char(number, template) with PostgreSQL's numeric template patterns 9 0 . , D G FM S PR MI PL SG
/// (C locale: '.' and ','), following the algorithm of formatting.c's NUM_processor. RN, EEEE, V, TH, L, B and C are
/// done by <see cref="NumericToCharExtras"/>; here they stay unsupported in templates with quoted text.
/// </summary>
internal static class NumericToChar
{
    private enum Token { Nine, Zero, Dec, D, Comma, G, Fm, S, Pr, Mi, Pl, Sg, Literal }

    private static readonly (string Text, Token Token)[] Keywords =
    [
        (",", Token.Comma), (".", Token.Dec), ("0", Token.Zero), ("9", Token.Nine), ("D", Token.D), ("FM", Token.Fm), ("G", Token.G),
        ("MI", Token.Mi), ("PL", Token.Pl), ("PR", Token.Pr), ("SG", Token.Sg), ("S", Token.S),
        ("d", Token.D), ("fm", Token.Fm), ("g", Token.G), ("mi", Token.Mi), ("pl", Token.Pl), ("pr", Token.Pr), ("sg", Token.Sg), ("s", Token.S),
    ];

    private static readonly string[] Unsupported = ["RN", "rn", "EEEE", "eeee", "TH", "th", "V", "v", "L", "l", "B", "b", "C", "c"];

    private enum LSign { None, Pre, Post }

    private sealed class Desc
    {
        public int Pre;
        public int Post;
        public bool Decimal;
        public bool Zero;
        public int ZeroStart;
        public int ZeroEnd;
        public bool FillMode;
        public bool Bracket;
        public bool Minus;
        public bool Plus;
        public LSign LSign;
        public int PreLSignNum;
    }

    public static string Format(Value value, string format)
    {
        var nodes = Parse(format, out var desc);

        string numstr;
        char sign;
        int outPreSpaces = 0;
        switch (value.Kind)
        {
            case ValueKind.SmallInt or ValueKind.Int or ValueKind.BigInt:
            {
                var v = value.AsLong;
                sign = v < 0 ? '-' : '+';
                var digits = v == long.MinValue ? "9223372036854775808" : Math.Abs(v).ToString(CultureInfo.InvariantCulture);
                var preLen = digits.Length;
                numstr = desc.Post > 0 ? digits + "." + new string('0', desc.Post) : digits;
                numstr = Overflow(numstr, preLen, desc, ref outPreSpaces);
                break;
            }

            case ValueKind.Numeric:
            {
                var rounded = Math.Round(value.AsNumeric, Math.Min(desc.Post, 28), MidpointRounding.AwayFromZero);
                var text = rounded.ToString("F" + desc.Post, CultureInfo.InvariantCulture);
                sign = rounded < 0 ? '-' : '+';
                numstr = text.TrimStart('-');
                numstr = Overflow(numstr, PreLength(numstr), desc, ref outPreSpaces);
                break;
            }

            default:
            {
                var isReal = value.Kind == ValueKind.Real;
                var v = isReal ? value.AsReal : value.AsDouble;
                if (double.IsNaN(v) || double.IsInfinity(v))
                {
                    throw new SqlException(SqlState.FeatureNotSupported, "to_char of NaN or infinity is not supported yet");
                }

                var maxDigits = isReal ? 6 : 15;
                var whole = Math.Abs(v).ToString("F0", CultureInfo.InvariantCulture).Length;
                var post = whole >= maxDigits ? 0 : whole + desc.Post > maxDigits ? maxDigits - whole : desc.Post;
                desc.Post = post;
                var text = isReal ? ((float)v).ToString("F" + post, CultureInfo.InvariantCulture) : v.ToString("F" + post, CultureInfo.InvariantCulture);
                sign = text.StartsWith('-') ? '-' : '+';
                numstr = text.TrimStart('-');
                numstr = Overflow(numstr, PreLength(numstr), desc, ref outPreSpaces);
                break;
            }
        }

        return Process(nodes, desc, numstr, outPreSpaces, sign);
    }

    private static int PreLength(string numstr) => numstr.IndexOf('.') is var p and >= 0 ? p : numstr.Length;

    // Too many digits before the point for the template: every digit position shows '#'.
    private static string Overflow(string numstr, int preLen, Desc desc, ref int outPreSpaces)
    {
        if (preLen < desc.Pre)
        {
            outPreSpaces = desc.Pre - preLen;
            return numstr;
        }

        return preLen > desc.Pre ? new string('#', desc.Pre) + "." + new string('#', desc.Post) : numstr;
    }

    private static List<(Token Token, string Text)> Parse(string format, out Desc desc)
    {
        desc = new Desc();
        var nodes = new List<(Token, string)>();
        var i = 0;
        while (i < format.Length)
        {
            // Double-quoted text is copied as it is; a backslash inside escapes the next character.
            if (format[i] == '"')
            {
                var literal = new StringBuilder();
                i++;
                while (i < format.Length && format[i] != '"')
                {
                    if (format[i] == '\\' && i + 1 < format.Length)
                    {
                        i++;
                    }

                    literal.Append(format[i]);
                    i++;
                }

                i++;
                nodes.Add((Token.Literal, literal.ToString()));
                continue;
            }

            if (Unsupported.FirstOrDefault(u => string.CompareOrdinal(format, i, u, 0, u.Length) == 0) is { } unsupported)
            {
                throw new SqlException(SqlState.FeatureNotSupported, $"to_char numeric pattern \"{unsupported}\" is not supported yet");
            }

            var match = Keywords.FirstOrDefault(k => string.CompareOrdinal(format, i, k.Text, 0, k.Text.Length) == 0);
            if (match.Text is null)
            {
                nodes.Add((Token.Literal, format[i].ToString()));
                i++;
                continue;
            }

            i += match.Text.Length;
            Prepare(match.Token, desc);
            nodes.Add((match.Token, match.Text));
        }

        return nodes;
    }

    private static SqlException Syntax(string message) => new(SqlState.SyntaxError, message);

    private static void Prepare(Token token, Desc num)
    {
        switch (token)
        {
            case Token.Nine:
                if (num.Bracket)
                {
                    throw Syntax("\"9\" must be ahead of \"PR\"");
                }

                if (num.Decimal)
                {
                    num.Post++;
                }
                else
                {
                    num.Pre++;
                }

                break;
            case Token.Zero:
                if (num.Bracket)
                {
                    throw Syntax("\"0\" must be ahead of \"PR\"");
                }

                if (!num.Zero && !num.Decimal)
                {
                    num.Zero = true;
                    num.ZeroStart = num.Pre + 1;
                }

                if (num.Decimal)
                {
                    num.Post++;
                }
                else
                {
                    num.Pre++;
                }

                num.ZeroEnd = num.Pre + num.Post;
                break;
            case Token.Dec or Token.D:
                if (num.Decimal)
                {
                    throw Syntax("multiple decimal points");
                }

                num.Decimal = true;
                break;
            case Token.Fm:
                num.FillMode = true;
                break;
            case Token.S:
                if (num.LSign != LSign.None)
                {
                    throw Syntax("cannot use \"S\" twice");
                }

                if (num.Plus || num.Minus || num.Bracket)
                {
                    throw Syntax("cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together");
                }

                if (!num.Decimal)
                {
                    num.LSign = LSign.Pre;
                    num.PreLSignNum = num.Pre;
                }
                else
                {
                    num.LSign = LSign.Post;
                }

                break;
            case Token.Mi:
                if (num.LSign != LSign.None)
                {
                    throw Syntax("cannot use \"S\" and \"MI\" together");
                }

                num.Minus = true;
                break;
            case Token.Pl:
                if (num.LSign != LSign.None)
                {
                    throw Syntax("cannot use \"S\" and \"PL\" together");
                }

                num.Plus = true;
                break;
            case Token.Sg:
                if (num.LSign != LSign.None)
                {
                    throw Syntax("cannot use \"S\" and \"SG\" together");
                }

                num.Minus = true;
                num.Plus = true;
                break;
            case Token.Pr:
                if (num.LSign != LSign.None || num.Plus || num.Minus)
                {
                    throw Syntax("cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together");
                }

                num.Bracket = true;
                break;
        }
    }

    private sealed class Proc
    {
        public required Desc Num;
        public required string Number;
        public int NumberP;
        public int LastRelevant = -1;
        public required char Sign;
        public bool SignWrote;
        public bool NumIn;
        public int NumCurr;
        public int NumCount;
        public int OutPreSpaces;
        public readonly StringBuilder Out = new();

        public char At(int i) => i < Number.Length ? Number[i] : '\0';

        public bool PredecSpace => !Num.Zero && NumberP == 0 && At(0) == '0' && Num.Post != 0;
    }

    private static string Process(List<(Token Token, string Text)> nodes, Desc num, string number, int outPreSpaces, char sign)
    {
        var np = new Proc { Num = num, Number = number, Sign = sign };
        if (num.ZeroStart > 0)
        {
            num.ZeroStart--;
        }

        if (num.Plus || num.Minus)
        {
            np.SignWrote = !(num.Plus && !num.Minus);
        }
        else
        {
            if (sign != '-' && num.FillMode)
            {
                num.Bracket = false;
            }

            np.SignWrote = sign == '+' && num.FillMode && num.LSign == LSign.None;
            if (num.LSign == LSign.Pre && num.Pre == num.PreLSignNum)
            {
                num.LSign = LSign.Post;
            }
        }

        np.NumCount = num.Post + num.Pre - 1;
        np.OutPreSpaces = outPreSpaces;
        if (num.FillMode && num.Decimal)
        {
            np.LastRelevant = LastRelevantDecimal(number);
            if (np.LastRelevant >= 0 && num.ZeroEnd > np.OutPreSpaces)
            {
                var lastZero = Math.Min(number.Length - 1, num.ZeroEnd - np.OutPreSpaces);
                if (np.LastRelevant < lastZero)
                {
                    np.LastRelevant = lastZero;
                }
            }
        }

        if (!np.SignWrote && np.OutPreSpaces == 0)
        {
            np.NumCount++;
        }

        foreach (var (token, text) in nodes)
        {
            switch (token)
            {
                case Token.Nine or Token.Zero or Token.Dec or Token.D:
                    NumPart(np, token);
                    break;
                case Token.Comma or Token.G:
                    if (!np.NumIn)
                    {
                        if (!num.FillMode)
                        {
                            np.Out.Append(' ');
                        }
                    }
                    else
                    {
                        np.Out.Append(',');
                    }

                    break;
                case Token.Mi:
                    if (sign == '-')
                    {
                        np.Out.Append('-');
                    }
                    else if (!num.FillMode)
                    {
                        np.Out.Append(' ');
                    }

                    break;
                case Token.Pl:
                    if (sign == '+')
                    {
                        np.Out.Append('+');
                    }
                    else if (!num.FillMode)
                    {
                        np.Out.Append(' ');
                    }

                    break;
                case Token.Sg:
                    np.Out.Append(sign);
                    break;
                case Token.Literal:
                    np.Out.Append(text);
                    break;
            }
        }

        // PostgreSQL builds a C string: a digit position past the end of the number writes NUL and ends the text.
        var result = np.Out.ToString();
        return result.IndexOf('\0') is var nul and >= 0 ? result[..nul] : result;
    }

    private static int LastRelevantDecimal(string number)
    {
        var p = number.IndexOf('.');
        if (p < 0)
        {
            return -1;
        }

        var result = p;
        for (var i = p + 1; i < number.Length; i++)
        {
            if (number[i] != '0')
            {
                result = i;
            }
        }

        return result;
    }

    private static void NumPart(Proc np, Token id)
    {
        var num = np.Num;
        np.NumIn = false;
        var lastIsPoint = np.LastRelevant >= 0 && np.At(np.LastRelevant) == '.';

        // The sign goes right before the first digit that is written.
        if (!np.SignWrote
            && (np.NumCurr >= np.OutPreSpaces || (num.Zero && num.ZeroStart == np.NumCurr))
            && (!np.PredecSpace || lastIsPoint))
        {
            if (num.LSign != LSign.None)
            {
                if (num.LSign == LSign.Pre)
                {
                    np.Out.Append(np.Sign == '-' ? '-' : '+');
                    np.SignWrote = true;
                }
            }
            else if (num.Bracket)
            {
                np.Out.Append(np.Sign == '+' ? ' ' : '<');
                np.SignWrote = true;
            }
            else if (np.Sign == '+')
            {
                if (!num.FillMode)
                {
                    np.Out.Append(' ');
                }

                np.SignWrote = true;
            }
            else
            {
                np.Out.Append('-');
                np.SignWrote = true;
            }
        }

        if (np.NumCurr < np.OutPreSpaces && (num.ZeroStart > np.NumCurr || !num.Zero))
        {
            if (!num.FillMode)
            {
                np.Out.Append(' ');
            }
        }
        else if (num.Zero && np.NumCurr < np.OutPreSpaces && num.ZeroStart <= np.NumCurr)
        {
            np.Out.Append('0');
            np.NumIn = true;
        }
        else
        {
            if (np.At(np.NumberP) == '.')
            {
                if (!lastIsPoint || num.FillMode)
                {
                    np.Out.Append('.');
                }
            }
            else
            {
                if (np.LastRelevant >= 0 && np.NumberP > np.LastRelevant && id != Token.Zero)
                {
                }
                else if (np.PredecSpace)
                {
                    if (!num.FillMode)
                    {
                        np.Out.Append(' ');
                    }
                    else if (lastIsPoint)
                    {
                        np.Out.Append('0');
                    }
                }
                else
                {
                    np.Out.Append(np.At(np.NumberP));
                    np.NumIn = true;
                }
            }

            if (np.NumberP < np.Number.Length)
            {
                np.NumberP++;
            }
        }

        var end = np.NumCount + (np.OutPreSpaces > 0 ? 1 : 0) + (num.Decimal ? 1 : 0);
        if (np.LastRelevant >= 0 && np.LastRelevant == np.NumberP)
        {
            end = np.NumCurr;
        }

        if (np.NumCurr + 1 == end)
        {
            if (np.SignWrote && num.Bracket)
            {
                np.Out.Append(np.Sign == '+' ? ' ' : '>');
            }
            else if (num.LSign == LSign.Post)
            {
                np.Out.Append(np.Sign == '-' ? '-' : '+');
            }
        }

        np.NumCurr++;
    }
}
