using System.Globalization;
using System.Text;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Parser.Generated;
using G = StreamSql.Parser.Generated.StreamSqlParser;

namespace StreamSql.Parser;

/// <summary>Turns the ANTLR parse tree into immutable AST records, folding unquoted names to lower case.</summary>
internal sealed partial class AstBuilder : StreamSqlBaseVisitor<AstNode>
{
    private readonly string _text;

    public AstBuilder(string text) => _text = text;

    public IReadOnlyList<Statement> BuildScript(G.ScriptContext script)
    {
        var result = new List<Statement>();
        foreach (var statementContext in script.statement())
        {
            var statement = (Statement)Visit(statementContext);
            var start = statementContext.Start.StartIndex;
            var stop = statementContext.Stop?.StopIndex ?? start - 1;
            result.Add(statement with { Text = _text.Substring(start, stop - start + 1) });
        }

        return result;
    }

    private static int Pos(ParserRuleContext context) => context.Start.StartIndex;

    private static int Pos(IToken token) => token.StartIndex;

    // ---- statements ----

    public override AstNode VisitCreateRelation(G.CreateRelationContext context)
    {
        var kind = context.kind.Type == G.STREAM ? RelationKind.Stream : RelationKind.Table;
        var columns = context.tableElements()?.columnDefinition().Select(BuildColumn).ToList() ?? [];
        var query = context.query() is { } q ? BuildQuery(q) : null;
        if (query is not null && columns.Count > 0)
        {
            throw new SqlException(SqlState.SyntaxError, "a column list cannot be combined with AS SELECT", Pos(context.tableElements()));
        }

        return new CreateRelationStatement(
            Pos(context), kind, BuildName(context.qualifiedName()), context.REPLACE() is not null,
            context.EXISTS() is not null, columns, BuildProperties(context.withProperties()), query);
    }

    public override AstNode VisitCreateView(G.CreateViewContext context) =>
        new CreateViewStatement(Pos(context), context.MATERIALIZED() is not null, BuildName(context.qualifiedName()),
            context.EXISTS() is not null, BuildProperties(context.withProperties()), BuildQuery(context.query()));

    public override AstNode VisitInsert(G.InsertContext context)
    {
        var source = context.insertSource();
        return source.query() is { } query
            ? new InsertSelectStatement(Pos(context), BuildName(context.qualifiedName()), BuildColumnList(context.columnList()), BuildQuery(query))
            : new InsertValuesStatement(Pos(context), BuildName(context.qualifiedName()), BuildColumnList(context.columnList()),
                source.valuesRow().Select(r => (IReadOnlyList<Expression>)r.expression().Select(BuildExpression).ToList()).ToList());
    }

    public override AstNode VisitSelectStatement(G.SelectStatementContext context) =>
        new SelectStatement(Pos(context), BuildQuery(context.query()));

    public override AstNode VisitShowObjects(G.ShowObjectsContext context)
    {
        var what = context.what.Type switch
        {
            G.STREAMS => ShowObjectKind.Streams,
            G.TABLES => ShowObjectKind.Tables,
            G.VIEWS => ShowObjectKind.Views,
            G.TOPICS => ShowObjectKind.Topics,
            _ => ShowObjectKind.Queries,
        };
        return new ShowObjectsStatement(Pos(context), what, context.EXTENDED() is not null);
    }

    public override AstNode VisitShowAllSettings(G.ShowAllSettingsContext context) => new ShowSettingStatement(Pos(context), null);

    public override AstNode VisitShowSetting(G.ShowSettingContext context) => new ShowSettingStatement(Pos(context), BuildSettingName(context.settingName()));

    public override AstNode VisitDescribe(G.DescribeContext context) =>
        new DescribeStatement(Pos(context), BuildName(context.qualifiedName()), context.EXTENDED() is not null);

    public override AstNode VisitDrop(G.DropContext context)
    {
        var kind = context.kind.Type switch
        {
            G.STREAM => RelationKind.Stream,
            G.TABLE => RelationKind.Table,
            _ => RelationKind.View,
        };
        return new DropStatement(Pos(context), kind, BuildName(context.qualifiedName()), context.EXISTS() is not null, context.TOPIC() is not null);
    }

    public override AstNode VisitTerminate(G.TerminateContext context) =>
        new TerminateStatement(Pos(context), context.identifier() is { } id ? BuildIdentifier(id) : null);

    public override AstNode VisitFlush(G.FlushContext context) => new FlushStatement(Pos(context));

    public override AstNode VisitSet(G.SetContext context)
    {
        var value = context.settingValue();
        string? text = value.DEFAULT() is not null ? null
            : value.STRING() is { } s ? UnquoteString(s.GetText())
            : value.identifier() is { } id ? BuildIdentifier(id)
            : value.GetText();
        return new SetStatement(Pos(context), BuildSettingName(context.settingName()), text);
    }

    public override AstNode VisitReset(G.ResetContext context) =>
        new ResetStatement(Pos(context), context.settingName() is { } n ? BuildSettingName(n) : null);

    public override AstNode VisitExplain(G.ExplainContext context) => new ExplainStatement(Pos(context), BuildQuery(context.query()));

    // ---- pieces ----

    private Query BuildQuery(G.QueryContext context)
    {
        var items = new List<SelectItem>();
        foreach (var item in context.selectItem())
        {
            items.Add(item switch
            {
                G.SelectAllContext a => new AllColumns(Pos(a), null),
                G.SelectAllFromContext f => new AllColumns(Pos(f), BuildIdentifier(f.identifier())),
                G.SelectExpressionContext e => new SelectExpression(Pos(e), BuildExpression(e.expression()), e.identifier() is { } alias ? BuildIdentifier(alias) : null),
                _ => throw new InvalidOperationException("unknown select item"),
            });
        }

        var relation = context.relation();
        var from = new Relation(Pos(relation), BuildName(relation.qualifiedName()), relation.identifier() is { } ra ? BuildIdentifier(ra) : null);
        var emit = context.emitClause() switch
        {
            null => EmitMode.None,
            var e when e.FINAL() is not null => EmitMode.Final,
            _ => EmitMode.Changes,
        };
        long? limit = null;
        if (context.limit is not null)
        {
            if (!long.TryParse(context.limit.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                throw new SqlException(SqlState.NumericValueOutOfRange, "LIMIT is out of range", Pos(context.limit));
            }

            limit = n;
        }

        var groupBy = context.GROUP() is null ? [] : context.expression().Where(e => e != context.where && e != context.having).Select(BuildExpression).ToList();
        return new Query(
            Pos(context), context.DISTINCT() is not null, items, from,
            context.where is null ? null : BuildExpression(context.where),
            groupBy,
            context.having is null ? null : BuildExpression(context.having),
            emit, limit);
    }

    private ColumnDefinition BuildColumn(G.ColumnDefinitionContext context) =>
        new(Pos(context), BuildIdentifier(context.identifier()), BuildTypeName(context.typeName()), context.KEY() is not null, context.PRIMARY() is not null);

    private IReadOnlyList<Property> BuildProperties(G.WithPropertiesContext? context)
    {
        if (context is null)
        {
            return [];
        }

        var result = new List<Property>();
        foreach (var p in context.property())
        {
            var v = p.propertyValue();
            var text = v.STRING() is { } s ? UnquoteString(s.GetText()) : v.identifier() is { } id ? BuildIdentifier(id) : v.GetText().ToLowerInvariant();
            result.Add(new Property(Pos(p), BuildIdentifier(p.identifier()), text));
        }

        return result;
    }

    private IReadOnlyList<string>? BuildColumnList(G.ColumnListContext? context) =>
        context?.identifier().Select(BuildIdentifier).ToList();

    private static string BuildSettingName(G.SettingNameContext context) =>
        context.STRING() is { } s ? UnquoteString(s.GetText()) : string.Join('.', context.identifier().Select(BuildIdentifier));

    private static QualifiedName BuildName(G.QualifiedNameContext context)
    {
        var parts = context.identifier();
        return parts.Length == 1
            ? new QualifiedName(Pos(context), null, BuildIdentifier(parts[0]))
            : new QualifiedName(Pos(context), BuildIdentifier(parts[0]), BuildIdentifier(parts[1]));
    }

    private static TypeName BuildTypeName(G.TypeNameContext context)
    {
        var name = BuildIdentifier(context.identifier());
        if (context.PRECISION() is not null || context.VARYING() is not null)
        {
            name += " " + (context.PRECISION() ?? context.VARYING()).GetText().ToLowerInvariant();
        }

        var modifiers = context.INTEGER_VALUE().Select(t => int.Parse(t.GetText(), CultureInfo.InvariantCulture)).ToList();
        return new TypeName(Pos(context), name, modifiers);
    }

    internal static string BuildIdentifier(G.IdentifierContext context)
    {
        if (context.QUOTED_IDENTIFIER() is { } quoted)
        {
            var text = quoted.GetText();
            return text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        }

        return context.GetText().ToLowerInvariant();
    }

    private static string UnquoteString(string token) => token[1..^1].Replace("''", "'", StringComparison.Ordinal);

    // ---- expressions ----

    private Expression BuildExpression(ParserRuleContext context) => (Expression)Visit(context);

    public override AstNode VisitExpression(G.ExpressionContext context) => Visit(context.booleanExpression());

    public override AstNode VisitLogicalNot(G.LogicalNotContext context) => new NotExpression(Pos(context), BuildExpression(context.booleanExpression()));

    public override AstNode VisitLogicalAnd(G.LogicalAndContext context) =>
        new BinaryExpression(Pos(context.AND().Symbol), BinaryOperator.And, BuildExpression(context.left), BuildExpression(context.right));

    public override AstNode VisitLogicalOr(G.LogicalOrContext context) =>
        new BinaryExpression(Pos(context.OR().Symbol), BinaryOperator.Or, BuildExpression(context.left), BuildExpression(context.right));

    public override AstNode VisitPredicated(G.PredicatedContext context)
    {
        var left = BuildExpression(context.valueExpression());
        var predicate = context.predicate();
        if (predicate is null)
        {
            return left;
        }

        var pos = Pos(predicate);
        switch (predicate)
        {
            case G.ComparisonContext c:
                var op = c.comparisonOperator().Start.Type switch
                {
                    G.EQ => BinaryOperator.Equal,
                    G.NEQ => BinaryOperator.NotEqual,
                    G.LT => BinaryOperator.Less,
                    G.LTE => BinaryOperator.LessOrEqual,
                    G.GT => BinaryOperator.Greater,
                    _ => BinaryOperator.GreaterOrEqual,
                };
                return new BinaryExpression(pos, op, left, BuildExpression(c.right));
            case G.BetweenContext b:
                return new BetweenExpression(pos, left, BuildExpression(b.lower), BuildExpression(b.upper), b.NOT() is not null);
            case G.InListContext i:
                return new InListExpression(pos, left, i.expression().Select(BuildExpression).ToList(), i.NOT() is not null);
            case G.LikeContext l:
                return new LikeExpression(pos, left, BuildExpression(l.pattern), l.escape is null ? null : BuildExpression(l.escape), l.op.Type == G.ILIKE, l.NOT() is not null);
            case G.IsNullContext n:
                return new IsNullExpression(pos, left, n.NOT() is not null);
            case G.IsBooleanContext ib:
                return new IsBooleanExpression(pos, left, ib.booleanValue().TRUE() is not null, ib.NOT() is not null);
            case G.IsDistinctFromContext d:
                return new BinaryExpression(pos, d.NOT() is null ? BinaryOperator.IsDistinctFrom : BinaryOperator.IsNotDistinctFrom, left, BuildExpression(d.right));
            default:
                throw new InvalidOperationException("unknown predicate");
        }
    }

    public override AstNode VisitValueDefault(G.ValueDefaultContext context) => Visit(context.primaryExpression());

    public override AstNode VisitArithmeticUnary(G.ArithmeticUnaryContext context)
    {
        var operand = BuildExpression(context.valueExpression());
        if (context.op.Type == G.PLUS)
        {
            return operand;
        }

        // Fold "-literal" so that -9223372036854775808 and -2147483648 keep their PostgreSQL types.
        return operand switch
        {
            IntegerLiteral i => new IntegerLiteral(Pos(context), "-" + i.Text),
            DecimalLiteral d => new DecimalLiteral(Pos(context), "-" + d.Text),
            _ => new UnaryMinus(Pos(context), operand),
        };
    }

    public override AstNode VisitArithmeticMultiplicative(G.ArithmeticMultiplicativeContext context)
    {
        var op = context.op.Type switch
        {
            G.ASTERISK => BinaryOperator.Multiply,
            G.SLASH => BinaryOperator.Divide,
            _ => BinaryOperator.Modulo,
        };
        return new BinaryExpression(Pos(context.op), op, BuildExpression(context.left), BuildExpression(context.right));
    }

    public override AstNode VisitArithmeticAdditive(G.ArithmeticAdditiveContext context) =>
        new BinaryExpression(Pos(context.op), context.op.Type == G.PLUS ? BinaryOperator.Add : BinaryOperator.Subtract,
            BuildExpression(context.left), BuildExpression(context.right));

    public override AstNode VisitConcatenation(G.ConcatenationContext context) =>
        new BinaryExpression(Pos(context.CONCAT().Symbol), BinaryOperator.Concat, BuildExpression(context.left), BuildExpression(context.right));

    public override AstNode VisitNullLiteral(G.NullLiteralContext context) => new NullLiteral(Pos(context));

    public override AstNode VisitBooleanLiteral(G.BooleanLiteralContext context) =>
        new BooleanLiteral(Pos(context), context.booleanValue().TRUE() is not null);

    public override AstNode VisitNumericLiteral(G.NumericLiteralContext context)
    {
        var number = context.number();
        return number.INTEGER_VALUE() is not null
            ? new IntegerLiteral(Pos(context), number.GetText())
            : new DecimalLiteral(Pos(context), number.GetText());
    }

    public override AstNode VisitStringLiteral(G.StringLiteralContext context) =>
        new StringLiteral(Pos(context), UnquoteString(context.STRING().GetText()));

    public override AstNode VisitEscapeStringLiteral(G.EscapeStringLiteralContext context) =>
        new StringLiteral(Pos(context), DecodeEscapeString(context.ESCAPE_STRING().GetText(), Pos(context)));

    public override AstNode VisitIntervalLiteral(G.IntervalLiteralContext context) =>
        new IntervalLiteral(Pos(context), UnquoteString(context.STRING().GetText()), context.identifier() is { } u ? BuildIdentifier(u) : null);

    public override AstNode VisitTypedLiteral(G.TypedLiteralContext context)
    {
        var type = new TypeName(Pos(context), BuildIdentifier(context.identifier()), []);
        return new TypedLiteral(Pos(context), type, UnquoteString(context.STRING().GetText()));
    }

    public override AstNode VisitParameter(G.ParameterContext context)
    {
        var text = context.PARAMETER().GetText();
        if (!int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index < 1)
        {
            throw new SqlException(SqlState.SyntaxError, $"invalid parameter reference \"{text}\"", Pos(context));
        }

        return new ParameterReference(Pos(context), index);
    }

    public override AstNode VisitCaseExpression(G.CaseExpressionContext context) =>
        new CaseExpression(Pos(context),
            context.operand is null ? null : BuildExpression(context.operand),
            context.whenClause().Select(w => new WhenClause(Pos(w), BuildExpression(w.condition), BuildExpression(w.result))).ToList(),
            context.elseExpression is null ? null : BuildExpression(context.elseExpression));

    public override AstNode VisitCast(G.CastContext context) =>
        new CastExpression(Pos(context), BuildExpression(context.expression()), BuildTypeName(context.typeName()));

    public override AstNode VisitPostgresCast(G.PostgresCastContext context) =>
        new CastExpression(Pos(context.DOUBLE_COLON().Symbol), BuildExpression(context.primaryExpression()), BuildTypeName(context.typeName()));

    public override AstNode VisitFunctionCall(G.FunctionCallContext context) =>
        new FunctionCall(Pos(context), BuildIdentifier(context.identifier()), context.expression().Select(BuildExpression).ToList(),
            context.DISTINCT() is not null, context.ASTERISK() is not null);

    public override AstNode VisitQualifiedColumn(G.QualifiedColumnContext context) =>
        new ColumnReference(Pos(context), BuildIdentifier(context.identifier(0)), BuildIdentifier(context.identifier(1)));

    public override AstNode VisitColumnReference(G.ColumnReferenceContext context) =>
        new ColumnReference(Pos(context), null, BuildIdentifier(context.identifier()));

    public override AstNode VisitParenthesized(G.ParenthesizedContext context) => Visit(context.expression());

    private static string DecodeEscapeString(string token, int position)
    {
        var body = token.AsSpan(2, token.Length - 3);
        var sb = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\'' && i + 1 < body.Length && body[i + 1] == '\'')
            {
                sb.Append('\'');
                i++;
                continue;
            }

            if (c != '\\' || i + 1 >= body.Length)
            {
                sb.Append(c);
                continue;
            }

            var next = body[++i];
            switch (next)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u' or 'U':
                    var digits = next == 'u' ? 4 : 8;
                    if (i + digits >= body.Length + 0 && i + digits > body.Length - 1 + 1)
                    {
                        throw new SqlException(SqlState.SyntaxError, "invalid Unicode escape", position);
                    }

                    var code = int.Parse(body.Slice(i + 1, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    sb.Append(char.ConvertFromUtf32(code));
                    i += digits;
                    break;
                default:
                    sb.Append(next);
                    break;
            }
        }

        return sb.ToString();
    }
}
