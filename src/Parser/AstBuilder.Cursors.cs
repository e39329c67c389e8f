using System.Globalization;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using G = StreamSql.Parser.Generated.StreamSqlParser;

namespace StreamSql.Parser;

/// <summary>COPY (query) TO STDOUT and the cursor statements (DECLARE, FETCH, CLOSE) psql uses to show push queries live.</summary>
internal sealed partial class AstBuilder
{
    public override AstNode VisitCopyTo(G.CopyToContext context)
    {
        var csv = false;
        var header = false;
        foreach (var option in context.copyOption())
        {
            var name = BuildIdentifier(option.identifier(0));
            var value = option.identifier(1) is { } id ? BuildIdentifier(id)
                : option.STRING() is { } s ? UnquoteString(s.GetText()).ToLowerInvariant()
                : option.TRUE() is not null ? "true"
                : option.FALSE() is not null ? "false"
                : null;
            switch (name)
            {
                case "format" when value is "text" or "csv":
                    csv = value == "csv";
                    break;
                case "format" when value is "binary":
                    throw new SqlException(SqlState.FeatureNotSupported, "COPY format \"binary\" is not supported", Pos(option));
                case "format":
                    throw new SqlException(SqlState.InvalidParameterValue, $"COPY format \"{value}\" not recognized", Pos(option));
                case "header":
                    header = value is null or "true" or "on" or "1";
                    if (value is not (null or "true" or "on" or "1" or "false" or "off" or "0"))
                    {
                        throw new SqlException(SqlState.InvalidParameterValue, "header requires a Boolean value", Pos(option));
                    }

                    break;
                default:
                    throw new SqlException(SqlState.FeatureNotSupported, $"COPY option \"{name}\" is not supported", Pos(option));
            }
        }

        // COPY (SUBSCRIBE TO v) TO STDOUT: psql's way to watch a view change live.
        var query = context.query() is { } q ? BuildQuery(q) : SubscribeStatement.ToName(Pos(context.qualifiedName()), BuildName(context.qualifiedName()));
        return new CopyToStatement(Pos(context), query, csv, header);
    }

    public override AstNode VisitDeclareCursor(G.DeclareCursorContext context) =>
        new DeclareCursorStatement(Pos(context), BuildIdentifier(context.identifier()), context.HOLD() is not null && context.WITH() is not null, BuildQuery(context.query()));

    public override AstNode VisitFetchCursor(G.FetchCursorContext context) =>
        new FetchStatement(
            Pos(context),
            BuildIdentifier(context.identifier()),
            context.ALL() is not null ? null : context.count is { } count ? long.Parse(count.Text, CultureInfo.InvariantCulture) : 1);

    public override AstNode VisitCloseCursor(G.CloseCursorContext context) =>
        new CloseCursorStatement(Pos(context), context.identifier() is { } id ? BuildIdentifier(id) : null);
}
