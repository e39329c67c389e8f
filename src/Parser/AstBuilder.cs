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
        var elements = context.tableElements()?.tableElement() ?? [];
        var columns = elements.Where(e => e.columnDefinition() is not null).Select(e => BuildColumn(e.columnDefinition())).ToList();
        var watermark = elements.Where(e => e.WATERMARK() is not null)
            .Select(e => new WatermarkDefinition(Pos(e), BuildIdentifier(e.identifier()), BuildExpression(e.expression())))
            .FirstOrDefault();
        var primaryKey = elements.Where(e => e.columnList() is not null).SelectMany(e => BuildColumnList(e.columnList())!).ToList();
        var query = context.query() is { } q ? BuildQuery(q) : null;
        if (query is not null && columns.Count > 0)
        {
            throw new SqlException(SqlState.SyntaxError, "a column list cannot be combined with AS SELECT", Pos(context.tableElements()));
        }

        return new CreateRelationStatement(
            Pos(context), kind, BuildName(context.qualifiedName()), context.REPLACE() is not null,
            context.EXISTS() is not null, columns, BuildProperties(context.withProperties()), query)
        {
            Watermark = watermark,
            PrimaryKey = primaryKey,
        };
    }

    public override AstNode VisitCreateConnector(G.CreateConnectorContext context)
    {
        var columns = (context.tableElements()?.tableElement() ?? []).Where(e => e.columnDefinition() is not null).Select(e => BuildColumn(e.columnDefinition())).ToList();
        var names = context.qualifiedName();
        return new CreateConnectorStatement(Pos(context), context.kind.Type == G.SINK, BuildName(names[0]), context.EXISTS() is not null, columns,
            context.from is null ? null : BuildName(context.from), BuildProperties(context.withProperties()),
            context.query() is { } q ? BuildQuery(q) : null);
    }

    public override AstNode VisitUpdate(G.UpdateContext context) =>
        new UpdateStatement(Pos(context), BuildName(context.qualifiedName()), context.identifier() is { } a ? BuildIdentifier(a) : null,
            context.assignment().Select(x => new Assignment(Pos(x), BuildIdentifier(x.identifier()), BuildExpression(x.expression()))).ToList(),
            context.expression() is { } w ? BuildExpression(w) : null);

    public override AstNode VisitDelete(G.DeleteContext context) =>
        new DeleteStatement(Pos(context), BuildName(context.qualifiedName()), context.identifier() is { } a ? BuildIdentifier(a) : null,
            context.expression() is { } w ? BuildExpression(w) : null);

    public override AstNode VisitSubscribe(G.SubscribeContext context) =>
        new SubscribeStatement(Pos(context), context.qualifiedName() is { } n ? BuildName(n) : null,
            context.query() is { } q ? BuildQuery(q) : null, BuildProperties(context.withProperties()));

    public override AstNode VisitShowMaterializedViews(G.ShowMaterializedViewsContext context) =>
        new ShowObjectsStatement(Pos(context), ShowObjectKind.MaterializedViews, false);

    public override AstNode VisitDescribeFunction(G.DescribeFunctionContext context) =>
        new DescribeFunctionStatement(Pos(context), BuildIdentifier(context.identifier()));

    public override AstNode VisitCreateView(G.CreateViewContext context) =>
        new CreateViewStatement(Pos(context), context.MATERIALIZED() is not null, BuildName(context.qualifiedName()),
            context.EXISTS() is not null, BuildProperties(context.withProperties()), BuildQuery(context.query()));

    public override AstNode VisitInsert(G.InsertContext context)
    {
        var source = context.insertSource();
        return source.query() is { } query
            ? new InsertSelectStatement(Pos(context), BuildName(context.qualifiedName()), BuildColumnList(context.columnList()), BuildQuery(query))
            : new InsertValuesStatement(Pos(context), BuildName(context.qualifiedName()), BuildColumnList(context.columnList()),
                source.valuesRow().Select(BuildValuesRow).ToList());
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
            G.FUNCTIONS => ShowObjectKind.Functions,
            G.SOURCES => ShowObjectKind.Sources,
            G.SINKS => ShowObjectKind.Sinks,
            G.PROPERTIES => ShowObjectKind.Properties,
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
            G.SOURCE => RelationKind.Source,
            G.SINK => RelationKind.Sink,
            _ => context.MATERIALIZED() is not null ? RelationKind.MaterializedView : RelationKind.View,
        };
        return new DropStatement(Pos(context), kind, BuildName(context.qualifiedName()), context.EXISTS() is not null, context.TOPIC() is not null);
    }

    public override AstNode VisitTerminate(G.TerminateContext context) =>
        new TerminateStatement(Pos(context), context.identifier() is { } id ? BuildIdentifier(id) : null);

    public override AstNode VisitFlush(G.FlushContext context) => new FlushStatement(Pos(context));

    public override AstNode VisitPrint(G.PrintContext context) =>
        new PrintStatement(
            Pos(context),
            context.STRING() is { } topic ? UnquoteString(topic.GetText()) : BuildIdentifier(context.identifier()),
            context.BEGINNING() is not null,
            context.INTEGER_VALUE() is { } limit ? long.Parse(limit.GetText(), CultureInfo.InvariantCulture) : null);

    public override AstNode VisitSet(G.SetContext context)
    {
        var value = context.settingValue();
        string? text = value.DEFAULT() is not null ? null
            : value.STRING() is { } s ? UnquoteString(s.GetText())
            : value.identifier() is { } id ? BuildIdentifier(id)
            : value.ON() is not null ? "on"
            : value.GetText();
        return new SetStatement(Pos(context), BuildSettingName(context.settingName()), text);
    }

    public override AstNode VisitReset(G.ResetContext context) =>
        new ResetStatement(Pos(context), context.settingName() is { } n ? BuildSettingName(n) : null);

    public override AstNode VisitExplain(G.ExplainContext context)
    {
        var inner = context.statement();
        var statement = (Statement)Visit(inner);
        return new ExplainStatement(Pos(context), statement with { Text = _text.Substring(inner.Start.StartIndex, inner.Stop.StopIndex - inner.Start.StartIndex + 1) },
            context.ANALYZE() is not null);
    }

    public override AstNode VisitExplainAnalyzeQuery(G.ExplainAnalyzeQueryContext context) =>
        new ExplainAnalyzeQueryStatement(Pos(context), BuildIdentifier(context.identifier()));

    public override AstNode VisitRestartQuery(G.RestartQueryContext context) =>
        new RestartQueryStatement(Pos(context), BuildIdentifier(context.identifier()));

    // ---- pieces ----

    private Query BuildQuery(G.QueryContext context)
    {
        var with = context.commonTableExpression()
            .Select(c => new CommonTableExpression(Pos(c), BuildIdentifier(c.identifier()), BuildColumnList(c.columnList()), BuildQuery(c.query())))
            .ToList();
        var orderBy = context.sortItem().Select(BuildSortItem).ToList();
        var emit = context.emitClause() switch
        {
            null => EmitMode.None,
            var e when e.CHANGES() is not null => EmitMode.Changes,
            _ => EmitMode.Final,
        };
        return new Query(Pos(context), with, BuildQueryTerm(context.queryTerm()), orderBy, emit, ParseCount(context.limit, "LIMIT"), ParseCount(context.offset, "OFFSET"));
    }

    private static long? ParseCount(IToken? token, string clause)
    {
        if (token is null)
        {
            return null;
        }

        return long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new SqlException(SqlState.NumericValueOutOfRange, $"{clause} is out of range", Pos(token));
    }

    private SortItem BuildSortItem(G.SortItemContext context) =>
        new(Pos(context), BuildExpression(context.expression()), context.ordering?.Type == G.DESC,
            context.nullOrdering is null ? null : context.nullOrdering.Type == G.FIRST);

    private QueryBody BuildQueryTerm(G.QueryTermContext context)
    {
        switch (context)
        {
            case G.SetOperationContext set:
                var op = set.op.Type switch
                {
                    G.UNION => SetOperator.Union,
                    G.INTERSECT => SetOperator.Intersect,
                    _ => SetOperator.Except,
                };
                return new SetOperation(Pos(set.op), op, set.setQuantifier()?.ALL() is not null, BuildQueryTerm(set.left), BuildQueryTerm(set.right));
            case G.QueryTermDefaultContext term:
                return term.queryPrimary() switch
                {
                    G.QueryPrimaryDefaultContext p => BuildSpecification(p.querySpecification()),
                    G.InlineValuesContext v => new ValuesBody(Pos(v), v.valuesRow().Select(BuildValuesRow).ToList()),
                    G.SubqueryPrimaryContext sq => new NestedQuery(Pos(sq), BuildQuery(sq.query())),
                    _ => throw new InvalidOperationException("unknown query primary"),
                };
            default:
                throw new InvalidOperationException("unknown query term");
        }
    }

    private IReadOnlyList<Expression> BuildValuesRow(G.ValuesRowContext row) => row.expression().Select(BuildExpression).ToList();

    private QuerySpecification BuildSpecification(G.QuerySpecificationContext context)
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

        return new QuerySpecification(
            Pos(context), context.DISTINCT() is not null, items,
            context.relation().Select(BuildRelation).ToList(),
            context.windowClause() is { } w ? BuildWindow(w) : null,
            context.where is null ? null : BuildExpression(context.where),
            context._groupBy.Select(BuildExpression).ToList(),
            context.having is null ? null : BuildExpression(context.having),
            context._partitionBy.Select(BuildExpression).ToList());
    }

    private FromRelation BuildRelation(G.RelationContext context)
    {
        switch (context)
        {
            case G.RelationDefaultContext d:
                return BuildRelationPrimary(d.relationPrimary());
            case G.CrossJoinContext c:
                return new JoinRelation(Pos(c.CROSS().Symbol), JoinKind.Cross, BuildRelation(c.left), BuildRelationPrimary(c.right), null, null, null);
            case G.JoinRelationContext j:
                var type = j.joinType();
                var kind = type.LEFT() is not null ? JoinKind.Left : type.RIGHT() is not null ? JoinKind.Right : type.FULL() is not null ? JoinKind.Full : JoinKind.Inner;
                var criteria = j.joinCriteria();
                WithinClause? within = null;
                if (j.withinClause().FirstOrDefault() is { } w)
                {
                    within = new WithinClause(Pos(w), BuildDuration(w.before), w.after is null ? null : BuildDuration(w.after), w.grace is null ? null : BuildDuration(w.grace));
                }

                return new JoinRelation(Pos(j.JOIN().Symbol), kind, BuildRelation(j.left), BuildRelationPrimary(j.right),
                    criteria?.expression() is { } on ? BuildExpression(on) : null,
                    criteria?.USING() is not null ? criteria.identifier().Select(BuildIdentifier).ToList() : null,
                    within);
            default:
                throw new InvalidOperationException("unknown relation");
        }
    }

    private FromRelation BuildRelationPrimary(G.RelationPrimaryContext context) => context switch
    {
        G.TableNameContext t => new TableRelation(Pos(t), BuildName(t.qualifiedName()), t.alias is null ? null : BuildIdentifier(t.alias), BuildColumnList(t.columnList())),
        G.SubqueryRelationContext s => new SubqueryRelation(Pos(s), BuildQuery(s.query()), s.alias is null ? null : BuildIdentifier(s.alias), BuildColumnList(s.columnList())),
        G.TableFunctionContext f => new TableFunctionRelation(Pos(f), BuildTableFunctionName(f), f.expression().Select(BuildExpression).ToList(),
            f.alias is null ? null : BuildIdentifier(f.alias), BuildColumnList(f.columnList())),
        G.ParenthesizedRelationContext p => BuildRelation(p.relation()),
        _ => throw new InvalidOperationException("unknown relation"),
    };

    private static WindowSpec BuildWindow(G.WindowClauseContext context)
    {
        var kind = context.kind.Type switch
        {
            G.TUMBLING => WindowKind.Tumbling,
            G.HOPPING => WindowKind.Hopping,
            G.SESSION => WindowKind.Session,
            _ => WindowKind.Sliding,
        };
        Duration? retention = null;
        Duration? grace = null;
        foreach (var option in context.windowOption())
        {
            if (option.retention is not null)
            {
                retention = BuildDuration(option.retention);
            }

            if (option.grace is not null)
            {
                grace = BuildDuration(option.grace);
            }
        }

        var size = BuildDuration(context.size ?? context.gap);
        return new WindowSpec(Pos(context), kind, size, context.advance is null ? null : BuildDuration(context.advance), retention, grace);
    }

    private static Duration BuildDuration(G.DurationContext context)
    {
        var amount = long.Parse(context.INTEGER_VALUE().GetText(), CultureInfo.InvariantCulture);
        var unit = BuildIdentifier(context.identifier());
        var value = unit.TrimEnd('s') switch
        {
            "millisecond" => TimeSpan.FromMilliseconds(amount),
            "second" => TimeSpan.FromSeconds(amount),
            "minute" => TimeSpan.FromMinutes(amount),
            "hour" => TimeSpan.FromHours(amount),
            "day" => TimeSpan.FromDays(amount),
            _ => throw new SqlException(SqlState.SyntaxError, $"unknown time unit \"{unit}\"; expected MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS", Pos(context.identifier())),
        };
        return new Duration(Pos(context), value);
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
        switch (context)
        {
            case G.ArrayTypeContext a:
                return new TypeName(Pos(a), "array", []) { Arguments = [BuildTypeName(a.typeName())] };
            case G.PostgresArrayTypeContext pa:
                return new TypeName(Pos(pa), "array", []) { Arguments = [BuildTypeName(pa.typeName())] };
            case G.MapTypeContext m:
                return new TypeName(Pos(m), "map", []) { Arguments = [BuildTypeName(m.key), BuildTypeName(m.value)] };
            case G.StructTypeContext st:
                return new TypeName(Pos(st), "struct", [])
                {
                    Arguments = st.structField().Select(f => BuildTypeName(f.typeName())).ToList(),
                    FieldNames = st.structField().Select(f => BuildIdentifier(f.identifier())).ToList(),
                };
            case G.SimpleTypeContext simple:
                var name = BuildIdentifier(simple.typeIdentifier);
                if (simple.schema is { } typeSchema && BuildIdentifier(typeSchema) is var qualifier && qualifier != "pg_catalog")
                {
                    // Every type lives in pg_catalog.
                    throw new SqlException(SqlState.UndefinedObject, $"type \"{qualifier}.{name}\" does not exist", Pos(simple));
                }

                if (simple.PRECISION() is not null || simple.VARYING() is not null)
                {
                    name += " " + (simple.PRECISION() ?? simple.VARYING()).GetText().ToLowerInvariant();
                }

                if (simple.ZONE() is not null)
                {
                    name += simple.WITH() is not null ? " with time zone" : " without time zone";
                }

                var modifiers = simple.INTEGER_VALUE().Select(t => int.Parse(t.GetText(), CultureInfo.InvariantCulture)).ToList();
                return new TypeName(Pos(simple), name, modifiers);
            default:
                throw new InvalidOperationException("unknown type");
        }
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

    private Expression BuildExpression(ParserRuleContext context)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return (Expression)Visit(context);
    }

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
                var right = BuildExpression(c.right);
                // x = ANY (array), x = SOME (array): ANY and SOME are not reserved, so they parse as a call.
                return right is FunctionCall { Name: "any" or "some", Arguments.Count: 1, Star: false, Distinct: false } quantified
                    ? new QuantifiedComparison(pos, op, left, quantified.Arguments[0])
                    : new BinaryExpression(pos, op, left, right);
            case G.RegexMatchContext r:
                var regex = r.regexOperator().op.Type;
                Expression match = new FunctionCall(pos, regex is G.TILDE or G.NOT_TILDE ? "textregexeq" : "texticregexeq", [left, BuildExpression(r.right)], false, false);
                return regex is G.NOT_TILDE or G.NOT_TILDE_STAR ? new NotExpression(pos, match) : match;
            case G.BetweenContext b:
                return new BetweenExpression(pos, left, BuildExpression(b.lower), BuildExpression(b.upper), b.NOT() is not null);
            case G.InSubqueryContext sq:
                return new InSubqueryExpression(pos, left, BuildQuery(sq.query()), sq.NOT() is not null);
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
            IntegerLiteral i => new IntegerLiteral(Pos(context), Negate(i.Text)),
            DecimalLiteral d => new DecimalLiteral(Pos(context), Negate(d.Text)),
            _ => new UnaryMinus(Pos(context), operand),
        };
    }

    private static string Negate(string number) => number.StartsWith('-') ? number[1..] : "-" + number;

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

    public override AstNode VisitJsonAccess(G.JsonAccessContext context) =>
        new BinaryExpression(Pos(context.op), context.op.Type == G.ARROW ? BinaryOperator.JsonField : BinaryOperator.JsonFieldText,
            BuildExpression(context.left), BuildExpression(context.right));

    /// <summary>EXTRACT(field FROM x) is date_part('field', x), as PostgreSQL rewrites it (it returns numeric there; double here).</summary>
    public override AstNode VisitExtract(G.ExtractContext context) =>
        new FunctionCall(Pos(context), "date_part", [new StringLiteral(Pos(context.field), BuildIdentifier(context.field)), BuildExpression(context.valueExpression())], false, false);

    public override AstNode VisitCurrentTime(G.CurrentTimeContext context) =>
        new FunctionCall(Pos(context), context.kind.Type == G.CURRENT_DATE ? "current_date" : "now", [], false, false);

    public override AstNode VisitExists(G.ExistsContext context) => new ExistsExpression(Pos(context), BuildQuery(context.query()));

    public override AstNode VisitScalarSubquery(G.ScalarSubqueryContext context) => new ScalarSubquery(Pos(context), BuildQuery(context.query()));

    public override AstNode VisitMapConstructor(G.MapConstructorContext context) =>
        new MapConstructor(Pos(context), context.mapEntry().Select(e => BuildExpression(e.key)).ToList(), context.mapEntry().Select(e => BuildExpression(e.value)).ToList());

    public override AstNode VisitStructConstructor(G.StructConstructorContext context) =>
        new StructConstructor(Pos(context), context.structEntry().Select(e => BuildIdentifier(e.identifier())).ToList(), context.structEntry().Select(e => BuildExpression(e.expression())).ToList());

    public override AstNode VisitArrayConstructor(G.ArrayConstructorContext context) =>
        new ArrayConstructor(Pos(context), context.expression().Select(BuildExpression).ToList());

    public override AstNode VisitArraySubquery(G.ArraySubqueryContext context) => new ArraySubquery(Pos(context), BuildQuery(context.query()));

    public override AstNode VisitSubscript(G.SubscriptContext context) =>
        new SubscriptExpression(Pos(context.LBRACKET().Symbol), BuildExpression(context.primaryExpression()), BuildExpression(context.index));

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
        new FunctionCall(Pos(context), BuildFunctionName(context.functionName()), context.expression().Select(BuildExpression).ToList(),
            context.DISTINCT() is not null, context.ASTERISK() is not null, BuildOverClause(context.overClause()));

    private OverClause? BuildOverClause(G.OverClauseContext? context) =>
        context is null ? null : new OverClause(Pos(context), context._partition.Select(BuildExpression).ToList(), context.sortItem().Select(BuildSortItem).ToList());

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
