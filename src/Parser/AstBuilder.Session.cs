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

    public override AstNode VisitBeginTransaction(G.BeginTransactionContext context)
    {
        var modes = new List<string>();
        foreach (var mode in context.transactionMode())
        {
            var words = string.Join(' ', mode.children.Select(c => c.GetText().ToLowerInvariant()));
            if (!TransactionModes.Contains(words))
            {
                throw new SqlException(SqlState.SyntaxError, $"syntax error at or near \"{mode.Start.Text}\"", Pos(mode));
            }

            modes.Add(words);
        }

        return new TransactionStatement(Pos(context), TransactionAction.Begin, modes);
    }

    public override AstNode VisitEndTransaction(G.EndTransactionContext context) =>
        new TransactionStatement(Pos(context), context.action.Type is G.COMMIT or G.END ? TransactionAction.Commit : TransactionAction.Rollback, []);

    public override AstNode VisitDiscard(G.DiscardContext context) =>
        new DiscardStatement(Pos(context), context.what.Type is G.TEMPORARY ? "temp" : context.what.Text.ToLowerInvariant());

    public override AstNode VisitSetTimeZone(G.SetTimeZoneContext context)
    {
        var value = context.settingValue();
        string? text = value is null || value.DEFAULT() is not null ? null
            : value.STRING() is { } s ? UnquoteString(s.GetText())
            : value.identifier() is { } id ? BuildIdentifier(id)
            : value.GetText();
        return new SetStatement(Pos(context), "timezone", text);
    }

    public override AstNode VisitCreateUser(G.CreateUserContext context) =>
        new CreateUserStatement(Pos(context), BuildIdentifier(context.identifier()), UnquoteString(context.STRING().GetText()));
}
