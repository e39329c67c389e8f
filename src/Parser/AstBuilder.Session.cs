using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using G = StreamSql.Parser.Generated.StreamSqlParser;

namespace StreamSql.Parser;

/// <summary>Session, transaction and login statements (BEGIN, COMMIT, DISCARD ALL, SET TIME ZONE, CREATE USER).</summary>
internal sealed partial class AstBuilder
{
    private static readonly HashSet<string> TransactionModes =
    [
        "isolation level serializable", "isolation level repeatable read", "isolation level read committed",
        "isolation level read uncommitted", "read write", "read only", "deferrable", "not deferrable",
    ];

    /// <summary>Modes may be separated by commas or only by spaces ("READ WRITE NOT DEFERRABLE"): the words are matched against the known modes in order.</summary>
    public override AstNode VisitBeginTransaction(G.BeginTransactionContext context)
    {
        var words = context.transactionMode().SelectMany(m => m.children).Select(c => (Text: c.GetText().ToLowerInvariant(), Position: StartOf(c))).ToList();
        var modes = new List<string>();
        for (var i = 0; i < words.Count;)
        {
            var mode = TransactionModes.FirstOrDefault(known =>
            {
                var parts = known.Split(' ');
                return i + parts.Length <= words.Count && parts.Select((p, k) => p == words[i + k].Text).All(x => x);
            }) ?? throw new SqlException(SqlState.SyntaxError, $"syntax error at or near \"{words[i].Text.ToUpperInvariant()}\"", words[i].Position);
            modes.Add(mode);
            i += mode.Split(' ').Length;
        }

        return new TransactionStatement(Pos(context), TransactionAction.Begin, modes);
    }

    private static int StartOf(IParseTree node) => node switch
    {
        ITerminalNode terminal => terminal.Symbol.StartIndex,
        ParserRuleContext rule => rule.Start.StartIndex,
        _ => 0,
    };

    public override AstNode VisitEndTransaction(G.EndTransactionContext context) =>
        new TransactionStatement(Pos(context), context.action.Type is G.COMMIT or G.END ? TransactionAction.Commit : TransactionAction.Rollback, []);

    public override AstNode VisitDiscard(G.DiscardContext context) =>
        new DiscardStatement(Pos(context), context.what.Type is G.TEMPORARY ? "temp" : context.what.Text.ToLowerInvariant());

    public override AstNode VisitSetTimeZone(G.SetTimeZoneContext context)
    {
        var value = context.settingValue();
        // SET TIME ZONE LOCAL and DEFAULT both mean the default.
        string? text = value is null || value.DEFAULT() is not null ? null
            : value.STRING() is { } s ? UnquoteString(s.GetText())
            : value.identifier() is { } id ? BuildIdentifier(id) is var name && name == "local" ? null : name
            : value.GetText();
        return new SetStatement(Pos(context), "timezone", text);
    }

    public override AstNode VisitCreateUser(G.CreateUserContext context) =>
        new CreateUserStatement(Pos(context), BuildIdentifier(context.identifier()), UnquoteString(context.STRING().GetText()));
}
