using Antlr4.Runtime;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Parser.Generated;

namespace StreamSql.Parser;

/// <summary>Parses SQL text (one or more statements separated by ';') into AST statements.</summary>
public static class SqlParser
{
    /// <summary>Parses a whole script; a syntax error anywhere throws <see cref="SqlException"/> with SQLSTATE 42601 and the offending position.</summary>
    /// <summary>Deeper nesting than this is rejected before parsing (PostgreSQL's max_stack_depth plays the same role).</summary>
    public const int MaxNestingDepth = 500;

    public static IReadOnlyList<Statement> Parse(string text)
    {
        var lexer = new StreamSqlLexer(new AntlrInputStream(text));
        lexer.RemoveErrorListeners();
        var tokens = new CommonTokenStream(lexer);
        tokens.Fill();
        CheckNesting(tokens);
        var parser = new StreamSqlParser(tokens);
        parser.RemoveErrorListeners();
        parser.AddErrorListener(new SyntaxErrorListener());
        try
        {
            var script = parser.script();
            return new AstBuilder(text).BuildScript(script);
        }
        catch (InsufficientExecutionStackException)
        {
            throw TooComplex(0);
        }
    }

    private static void CheckNesting(CommonTokenStream tokens)
    {
        var depth = 0;
        foreach (var token in tokens.GetTokens())
        {
            if (token.Type is StreamSqlLexer.LPAREN or StreamSqlLexer.LBRACKET)
            {
                if (++depth > MaxNestingDepth)
                {
                    throw TooComplex(token.StartIndex);
                }
            }
            else if (token.Type is StreamSqlLexer.RPAREN or StreamSqlLexer.RBRACKET)
            {
                depth--;
            }
        }
    }

    private static SqlException TooComplex(int position) =>
        new(SqlState.StatementTooComplex, $"statement is too complex: more than {MaxNestingDepth} nested parentheses or brackets, or too deeply nested expressions", position);

    /// <summary>Parses text that must hold exactly one statement.</summary>
    public static Statement ParseOne(string text)
    {
        var statements = Parse(text);
        return statements.Count == 1
            ? statements[0]
            : throw new SqlException(SqlState.SyntaxError, $"expected one statement, found {statements.Count}", 0);
    }
}
