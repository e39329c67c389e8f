using Antlr4.Runtime;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Parser.Generated;

namespace StreamSql.Parser;

/// <summary>Parses SQL text (one or more statements separated by ';') into AST statements.</summary>
public static class SqlParser
{
    /// <summary>Parses a whole script; a syntax error anywhere throws <see cref="SqlException"/> with SQLSTATE 42601 and the offending position.</summary>
    public static IReadOnlyList<Statement> Parse(string text)
    {
        var lexer = new StreamSqlLexer(new AntlrInputStream(text));
        lexer.RemoveErrorListeners();
        var tokens = new CommonTokenStream(lexer);
        var parser = new StreamSqlParser(tokens);
        parser.RemoveErrorListeners();
        parser.AddErrorListener(new SyntaxErrorListener());
        var script = parser.script();
        return new AstBuilder(text).BuildScript(script);
    }

    /// <summary>Parses text that must hold exactly one statement.</summary>
    public static Statement ParseOne(string text)
    {
        var statements = Parse(text);
        return statements.Count == 1
            ? statements[0]
            : throw new SqlException(SqlState.SyntaxError, $"expected one statement, found {statements.Count}", 0);
    }
}
