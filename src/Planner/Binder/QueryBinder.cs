using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>Binds a query into a logical plan: Scan/Values → Filter → Project → Limit, with subqueries in FROM nested.</summary>
public static partial class QueryBinder
{
    private const string SortColumnPrefix = "#sort";

    public static BoundQuery Bind(Query query, CatalogStore catalog) => Bind(query, catalog, null);

    /// <param name="subqueries">Runs uncorrelated subqueries in expressions (pull queries); null rejects them.</param>
    /// <param name="parameters">What $1, $2, ... stand for (extended query protocol); null rejects them.</param>
    public static BoundQuery Bind(Query query, CatalogStore catalog, ISubqueryEvaluator? subqueries, IParameterSource? parameters = null)
    {
        var (outerSubqueries, outerParameters, outerCatalog) = (_subqueries, _parameters, _catalog);
        (_subqueries, _parameters, _catalog) = (subqueries, parameters, catalog);
        try
        {
            return BindQuery(query, catalog);
        }
        finally
        {
            (_subqueries, _parameters, _catalog) = (outerSubqueries, outerParameters, outerCatalog);
        }
    }

    // The evaluator and parameters of the statement being bound on this thread; binding is synchronous and not reentrant across threads.
    [ThreadStatic]
    private static ISubqueryEvaluator? _subqueries;

    [ThreadStatic]
    private static IParameterSource? _parameters;

    [ThreadStatic]
    private static CatalogStore? _catalog;

    private static ExpressionBinder NewBinder(BindScope scope, IReadOnlyList<FromRelation>? from = null) => new(scope, _subqueries, _parameters, _catalog, from);

    private static BoundQuery BindQuery(Query query, CatalogStore catalog)
    {
        query = CteInliner.Inline(query);

        var body = query.Body;
        var hidden = 0;
        if (body is QuerySpecification { Distinct: false } spec && query.OrderBy.Count > 0 && !AggregateBinder.IsAggregateQuery(spec))
        {
            // ORDER BY may use input columns the SELECT list leaves out (PostgreSQL's resjunk columns): select them too, drop them after sorting.
            var outputNames = spec.Items.OfType<SelectExpression>().Select(i => i.Alias ?? OutputName(i.Expression)).ToHashSet();
            var extra = query.OrderBy
                .Where(o => o.Expression is not IntegerLiteral && !(o.Expression is ColumnReference { Qualifier: null } c && (outputNames.Contains(c.Name) || spec.Items.OfType<AllColumns>().Any())))
                .Select((o, i) => (SelectItem)new SelectExpression(o.Position, o.Expression, SortColumnPrefix + i))
                .ToList();
            hidden = extra.Count;
            body = spec with { Items = [.. spec.Items, .. extra] };
            query = query with
            {
                OrderBy = query.OrderBy.Select(o => extra.Cast<SelectExpression>().FirstOrDefault(e => ReferenceEquals(e.Expression, o.Expression)) is { } e
                    ? o with { Expression = new ColumnReference(o.Position, null, e.Alias!) }
                    : o).ToList(),
            };
        }

        var (plan, source) = BindBody(body, catalog);
        if (query.Emit == EmitMode.Final && WindowColumns.FindAggregate(plan)?.Window is null)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "EMIT FINAL needs a windowed aggregation", query.Position,
                hint: "EMIT FINAL emits each window once, when it closes; use EMIT CHANGES otherwise.");
        }

        if (query.Emit != EmitMode.None && source is null)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "EMIT CHANGES needs a stream in FROM", query.Position);
        }

        if (query.OrderBy.Count > 0)
        {
            plan = new LogicalSort(plan, BindSortKeys(query.OrderBy, plan));
            if (hidden > 0)
            {
                var visible = plan.Schema.Count - hidden;
                plan = new LogicalProject(plan, plan.Schema.Take(visible).Select((c, i) => (BoundExpression)new BoundColumn(i, c.Name, c.Type)).ToList(), plan.Schema.Take(visible).ToList());
            }
        }

        if (query.Offset is { } offset)
        {
            plan = new LogicalOffset(plan, offset);
        }

        if (query.Limit is { } limit)
        {
            plan = new LogicalLimit(plan, limit);
        }

        return new BoundQuery(plan, source, query.Emit);
    }

    private static (LogicalPlan Plan, StreamDefinition? Source) BindBody(QueryBody body, CatalogStore catalog) => body switch
    {
        QuerySpecification specification => BindSpecification(specification, catalog),
        ValuesBody values => (BindValues(values), null),
        NestedQuery nested => BindNested(nested.Query, catalog),
        SetOperation set => BindSetOperation(set, catalog),
        _ => throw SqlException.NotSupported(body.GetType().Name, body.Position),
    };

    /// <summary>ORDER BY output columns by name or position, or by expressions over them (as PostgreSQL resolves them first).</summary>
    private static IReadOnlyList<SortKey> BindSortKeys(IReadOnlyList<SortItem> items, LogicalPlan plan)
    {
        var binder = NewBinder(new BindScope("", null, plan.Schema));
        var keys = new List<SortKey>();
        foreach (var item in items)
        {
            BoundExpression key;
            if (item.Expression is IntegerLiteral ordinal)
            {
                var n = int.Parse(ordinal.Text, System.Globalization.CultureInfo.InvariantCulture);
                if (n < 1 || n > plan.Schema.Count)
                {
                    throw new SqlException(SqlState.InvalidColumnReference, $"ORDER BY position {n} is not in select list", item.Position);
                }

                key = new BoundColumn(n - 1, plan.Schema[n - 1].Name, plan.Schema[n - 1].Type);
            }
            else
            {
                key = ExpressionBinder.Resolve(binder.Bind(item.Expression), item.Position);
            }

            if (key.Type.IsComposite)
            {
                // Maps and structs are json to clients, which has no ordering in PostgreSQL either.
                throw new SqlException(SqlState.UndefinedFunction, $"could not identify an ordering operator for type {key.Type.DisplayName}", item.Position,
                    hint: "Use an explicit ordering operator or modify the query.");
            }

            keys.Add(new SortKey(key, item.Descending, item.NullsFirst ?? item.Descending));
        }

        return keys;
    }

    /// <summary>Both sides must have as many columns; each column takes the common type of its two sides.</summary>
    private static (LogicalPlan Plan, StreamDefinition? Source) BindSetOperation(SetOperation set, CatalogStore catalog)
    {
        var (left, leftSource) = BindBody(set.Left, catalog);
        var (right, rightSource) = BindBody(set.Right, catalog);
        var name = set.Operator.ToString().ToUpperInvariant();
        if (left.Schema.Count != right.Schema.Count)
        {
            throw new SqlException(SqlState.SyntaxError, $"each {name} query must have the same number of columns", set.Right.Position);
        }

        var types = new List<SqlType>();
        for (var i = 0; i < left.Schema.Count; i++)
        {
            types.Add(Coercion.CommonType(left.Schema[i].Type, right.Schema[i].Type)
                ?? throw new SqlException(SqlState.DatatypeMismatch, $"{name} types {left.Schema[i].Type.DisplayName} and {right.Schema[i].Type.DisplayName} cannot be matched", set.Right.Position));
        }

        var columns = left.Schema.Select((c, i) => new ColumnSchema(c.Name, types[i])).ToList();
        return (new LogicalSetOperation(Convert(left, types), Convert(right, types), set.Operator, set.All, columns), leftSource ?? rightSource);
    }

    private static LogicalPlan Convert(LogicalPlan plan, IReadOnlyList<SqlType> types)
    {
        if (plan.Schema.Select(c => c.Type).SequenceEqual(types))
        {
            return plan;
        }

        var expressions = plan.Schema.Select((c, i) => Coercion.Convert(new BoundColumn(i, c.Name, c.Type), types[i], null)).ToList();
        return new LogicalProject(plan, expressions, plan.Schema.Select((c, i) => c with { Type = types[i] }).ToList());
    }

    private static (LogicalPlan Plan, StreamDefinition? Source) BindNested(Query query, CatalogStore catalog)
    {
        if (query.Emit != EmitMode.None)
        {
            throw new SqlException(SqlState.SyntaxError, "EMIT is only allowed on the outermost query", query.Position);
        }

        var bound = BindQuery(query, catalog);
        return (bound.Plan, bound.Source);
    }

    /// <summary>VALUES: every row has the same width; each column takes the common type of its values.</summary>
    private static LogicalValues BindValues(ValuesBody values)
    {
        var binder = NewBinder(BindScope.Empty);
        var rows = values.Rows.Select(r => r.Select(binder.Bind).ToList()).ToList();
        var width = rows[0].Count;
        for (var r = 1; r < rows.Count; r++)
        {
            if (rows[r].Count != width)
            {
                throw new SqlException(SqlState.SyntaxError, "VALUES lists must all be the same length", values.Rows[r][0].Position);
            }
        }

        var columns = new List<ColumnSchema>();
        for (var c = 0; c < width; c++)
        {
            var type = SqlType.Unknown;
            for (var r = 0; r < rows.Count; r++)
            {
                type = Coercion.Accumulate(type, rows[r][c].Type)
                    ?? throw new SqlException(SqlState.DatatypeMismatch, $"VALUES types {type.DisplayName} and {rows[r][c].Type.DisplayName} cannot be matched", values.Rows[r][c].Position);
            }

            type = type.Kind == SqlTypeKind.Unknown ? SqlType.Varchar : type;
            columns.Add(new ColumnSchema("column" + (c + 1), type));
            for (var r = 0; r < rows.Count; r++)
            {
                rows[r][c] = Coercion.Convert(rows[r][c], type, values.Rows[r][c].Position);
            }
        }

        return new LogicalValues(rows, columns);
    }

    private static (LogicalPlan Plan, StreamDefinition? Source) BindSpecification(QuerySpecification spec, CatalogStore catalog)
    {
        if (_pendingTopN is { } pending && ReferenceEquals(spec, pending.Inner))
        {
            _pendingTopN = null;
            RejectWindowFunctions(spec, pending.RankItem);
            return BindTopN(spec, pending, catalog);
        }

        var outer = MatchTopN(spec);
        RejectWindowFunctions(outer, null);
        if (_pendingTopN is null)
        {
            return BindSpecificationCore(spec, catalog);
        }

        try
        {
            var (plan, source) = BindSpecificationCore(outer, catalog);
            return (MarkRankOutput(plan), source);
        }
        finally
        {
            _pendingTopN = null;
        }
    }

    private static (LogicalPlan Plan, StreamDefinition? Source) BindSpecificationCore(QuerySpecification spec, CatalogStore catalog)
    {
        if (spec.Window is { } window)
        {
            if (!AggregateBinder.IsAggregateQuery(spec))
            {
                throw new SqlException(SqlState.GroupingError, "WINDOW needs an aggregation (GROUP BY or aggregate functions)", window.Position);
            }

        }

        if (spec.Window is not null || spec.From.Any(f => f is TableFunctionRelation))
        {
            // ksqlDB's names for the window bounds mean the same as the window functions' columns.
            spec = WindowColumns.RenameKsqlBounds(spec);
        }

        if (spec.PartitionBy.Count > 0)
        {
            throw SqlException.NotSupported("PARTITION BY", spec.PartitionBy[0].Position);
        }

        var (plan, source, scope) = BindFrom(spec.From, catalog);
        var binder = NewBinder(scope, spec.From);
        if (spec.Where is not null)
        {
            if (AstExpressionRewriter.Any(spec.Where, e => e is FunctionCall f && (f.Star || Functions.FunctionRegistry.IsAggregate(f.Name))))
            {
                throw new SqlException(SqlState.GroupingError, "aggregate functions are not allowed in WHERE", spec.Where.Position);
            }

            plan = new LogicalFilter(plan, binder.BindCondition(spec.Where, "WHERE"));
        }

        if (spec.Window is { } w)
        {
            (plan, scope) = WindowColumns.AssignForClause(w, plan, scope);
            binder = NewBinder(scope);
        }

        if (AggregateBinder.IsAggregateQuery(spec))
        {
            var aggregated = BindAggregation(spec, plan, binder);
            return (spec.Distinct ? new LogicalDistinct(aggregated) : aggregated, source);
        }

        var expressions = new List<BoundExpression>();
        var columns = new List<ColumnSchema>();
        foreach (var item in spec.Items)
        {
            switch (item)
            {
                case AllColumns all:
                    var (start, count) = scope.Range(all.Qualifier, all.Position);
                    if (spec.From.Count == 0)
                    {
                        throw new SqlException(SqlState.SyntaxError, "SELECT * with no tables specified is not valid", all.Position);
                    }

                    foreach (var i in all.Qualifier is null ? scope.StarColumns() : Enumerable.Range(start, count))
                    {
                        var column = scope.Columns[i];
                        if (!column.Hidden)
                        {
                            expressions.Add(new BoundColumn(i, column.Name, column.Type));
                            columns.Add(column with { IsKey = false });
                        }
                    }

                    break;
                case SelectExpression e:
                    var bound = BindSelectExpression(e, binder, spec.From);
                    expressions.Add(bound);
                    columns.Add(new ColumnSchema(e.Alias ?? OutputName(e.Expression), bound.Type));
                    break;
            }
        }

        LogicalPlan projected = new LogicalProject(plan, expressions, columns);
        return (spec.Distinct ? new LogicalDistinct(projected) : projected, source);
    }

    /// <summary>
    /// A SELECT-list expression. Over catalog relations that have no rows (pg_policy, pg_publication, ...), an expression with
    /// something we do not support (a correlated subquery, an array function) is never evaluated, so it is NULL (text) rather
    /// than an error: psql's \d asks such catalogs about every relation.
    /// </summary>
    private static BoundExpression BindSelectExpression(SelectExpression item, ExpressionBinder binder, IReadOnlyList<FromRelation> from)
    {
        try
        {
            return ExpressionBinder.Resolve(binder.Bind(item.Expression), item.Position);
        }
        catch (SqlException e) when (e.SqlState == SqlState.FeatureNotSupported && ReadsNoRows(from))
        {
            return new BoundLiteral(null, SqlType.Varchar);
        }
    }

    /// <summary>Whether a FROM clause of catalog relations only has no rows (read at bind time, as the catalog is).</summary>
    private static bool ReadsNoRows(IReadOnlyList<FromRelation> from)
    {
        if (_subqueries is null || from.Count == 0 || !from.All(ExpressionBinder.IsCatalogSource))
        {
            return false;
        }

        var position = from[0].Position;
        var probe = new Query(position, [],
            new QuerySpecification(position, false, [new SelectExpression(position, new IntegerLiteral(position, "1"), null)], from, null, null, [], null, []),
            [], EmitMode.None, 1, null);
        try
        {
            return _subqueries.Evaluate(probe).Rows.Count == 0;
        }
        catch (SqlException)
        {
            return false;
        }
    }

    /// <summary>GROUP BY and aggregates: Aggregate over the filtered input, then HAVING as a filter, then the SELECT list.</summary>
    private static LogicalPlan BindAggregation(QuerySpecification spec, LogicalPlan input, ExpressionBinder inputBinder)
    {
        var aggregation = new AggregateBinder(inputBinder, input);
        foreach (var key in spec.GroupBy)
        {
            aggregation.AddKey(key);
        }

        if (spec.Window is not null)
        {
            aggregation.AddKey(new ColumnReference(spec.Window.Position, null, WindowColumns.Start));
            aggregation.AddKey(new ColumnReference(spec.Window.Position, null, WindowColumns.End));
        }

        var outputs = new List<(Expression Expression, string Name, int Position)>();
        foreach (var item in spec.Items)
        {
            if (item is not SelectExpression e)
            {
                throw new SqlException(SqlState.GroupingError, "SELECT * is not allowed with GROUP BY", item.Position);
            }

            outputs.Add((aggregation.RewriteOutput(e.Expression), e.Alias ?? OutputName(e.Expression), e.Position));
        }

        var having = spec.Having is null ? null : aggregation.RewriteOutput(spec.Having);
        var aggregate = WindowColumns.MarkWindow(aggregation.Build(), spec.Window, WatermarkOf(input));
        var scope = aggregation.OutputScope(aggregate);
        var binder = NewBinder(scope);
        LogicalPlan plan = aggregate;
        if (having is not null)
        {
            plan = new LogicalFilter(plan, binder.BindCondition(having, "HAVING"));
        }

        var expressions = outputs.Select(o => ExpressionBinder.Resolve(binder.Bind(o.Expression), o.Position)).ToList();
        return new LogicalProject(plan, expressions, outputs.Select((o, i) => new ColumnSchema(o.Name, expressions[i].Type)).ToList());
    }

    private static (LogicalPlan Plan, StreamDefinition? Source, BindScope Scope) BindFrom(IReadOnlyList<FromRelation> from, CatalogStore catalog)
    {
        if (from.Count == 0)
        {
            // SELECT without FROM reads one row with no columns, as in PostgreSQL.
            return (new LogicalValues([[]], []), null, BindScope.Empty);
        }

        // FROM a, b is a cross join.
        var relation = from[0];
        for (var i = 1; i < from.Count; i++)
        {
            relation = new JoinRelation(from[i].Position, JoinKind.Cross, relation, from[i], null, null, null);
        }

        return BindRelation(relation, catalog);
    }

    private static (LogicalPlan Plan, StreamDefinition? Source, BindScope Scope) BindRelation(FromRelation relation, CatalogStore catalog)
    {
        switch (relation)
        {
            case TableRelation table when catalog.SystemRelations?.Find(table.Name.Schema, table.Name.Name, catalog) is { } system:
                var rows = system.Rows.Select(r => (IReadOnlyList<BoundExpression>)r.Select((v, i) => (BoundExpression)new BoundLiteral(v, system.Columns[i].Type)).ToList()).ToList();
                var systemColumns = Rename(system.Columns, table.ColumnAliases, table.Position);
                return (new LogicalValues(rows, system.Columns), null, new BindScope(table.Name.Name, table.Alias, systemColumns));
            case TableRelation table:
                var stream = catalog.GetStream(table.Name.Name, table.Name.Position);
                var scanColumns = Rename(stream.RowSchema, table.ColumnAliases, table.Position);
                return (new LogicalScan(stream), stream, new BindScope(stream.Name, table.Alias, scanColumns));
            case SubqueryRelation { Alias: null } unnamed:
                throw new SqlException(SqlState.SyntaxError, "subquery in FROM must have an alias", unnamed.Position,
                    hint: "For example, FROM (SELECT ...) [AS] foo.");
            case SubqueryRelation subquery:
                var (plan, source) = BindNested(subquery.Query, catalog);
                var columns = Rename(plan.Schema, subquery.ColumnAliases, subquery.Position);
                return (plan, source, new BindScope(subquery.Alias ?? "subquery", subquery.Alias, columns));
            case JoinRelation join:
                return BindJoin(join, catalog);
            case TableFunctionRelation { Name: not ("tumble" or "hop" or "cumulate" or "session") } other:
                throw SqlException.NotSupported($"table function {other.Name}", other.Position);
            case TableFunctionRelation function:
                var (input, inputSource, inputScope) = BindRelation(new TableRelation(function.Position,
                    function.Arguments.Count > 0 && function.Arguments[0] is ColumnReference { Qualifier: null } r
                        ? new QualifiedName(r.Position, null, r.Name)
                        : throw new SqlException(SqlState.SyntaxError, $"{function.Name.ToUpperInvariant()} needs a stream as its first argument", function.Position),
                    null, null), catalog);
                var (windowed, windowScope) = WindowColumns.AssignForFunction(function, input, inputScope, NewBinder(inputScope));
                return (windowed, inputSource, windowScope with { RelationName = function.Alias ?? inputScope.RelationName, Alias = function.Alias });
            default:
                throw SqlException.NotSupported(relation.GetType().Name, relation.Position);
        }
    }

    /// <summary>
    /// INNER, LEFT and CROSS joins (and FROM lists). A stream joined with a table on the table's key becomes a
    /// <see cref="LogicalLookupJoin"/> (any query); other joins run only in pull queries, over finite inputs.
    /// </summary>
    private static (LogicalPlan Plan, StreamDefinition? Source, BindScope Scope) BindJoin(JoinRelation join, CatalogStore catalog)
    {
        if (join.Kind is JoinKind.Cross && join.Within is not null)
        {
            throw SqlException.NotSupported("CROSS JOIN ... WITHIN", join.Position);
        }

        var (left, leftSource, leftScope) = BindRelation(join.Left, catalog);
        var (right, rightSource, rightScope) = BindRelation(join.Right, catalog);
        var scope = BindScope.Join(leftScope, rightScope, join.Right.Position);
        var on = join.On;
        if (join.Using is { } usingColumns)
        {
            (on, scope) = BindUsing(usingColumns, join, leftScope, rightScope, scope);
        }

        var condition = on is null ? null : NewBinder(scope).BindCondition(on, "JOIN/ON");
        var columns = left.Schema.Concat(right.Schema).Select(c => c with { IsKey = false }).ToList();
        if (join.Kind == JoinKind.Right)
        {
            // The preserved side is the source (a stream–table join's stream).
            return (BindRightJoin(left, right, condition, columns, join.Within, join.Position), rightSource ?? leftSource, scope);
        }

        var nested = new LogicalJoin(left, right, join.Kind == JoinKind.Cross ? JoinKind.Inner : join.Kind, condition, columns);
        return (Streaming(nested, join.Within, swapped: false, join.Position), leftSource ?? rightSource, scope);
    }

    /// <summary>
    /// The streaming form of a join: WITHIN makes a stream–stream join; a stream joined with a table on its key is a lookup.
    /// Other joins stay nested loops, which only pull queries run.
    /// </summary>
    private static LogicalPlan Streaming(LogicalJoin join, WithinClause? within, bool swapped, int position)
    {
        if (within is null)
        {
            LogicalPlan? streaming = LogicalTableJoin.TryCreate(join) ?? (LogicalPlan?)LogicalLookupJoin.TryCreate(join);
            // Two GROUP BY subqueries are finite relations like two tables: a pull query joins them as a nested loop, and
            // a persistent one as a table–table join of the subqueries' tables.
            return streaming ?? (join.Kind == JoinKind.Full && !(IsAggregation(join.Left) && IsAggregation(join.Right))
                ? throw SqlException.NotSupported("FULL JOIN other than of two streams WITHIN a window, of two tables on their primary keys or of two GROUP BY subqueries", position)
                : join);
        }

        // WITHIN n is (n, n); WITHIN (before, after) bounds the right row's time relative to the left row's.
        var before = Micros(within.Before.Value);
        var after = within.After is { } a ? Micros(a.Value) : before;
        var grace = within.Grace is { } g ? Micros(g.Value) : LogicalStreamJoin.DefaultGraceMicros;
        return swapped
            ? LogicalStreamJoin.Create(join, after, before, grace, within.Position)
            : LogicalStreamJoin.Create(join, before, after, grace, within.Position);
    }

    /// <summary>A GROUP BY subquery: its SELECT list (and HAVING) over an aggregate.</summary>
    private static bool IsAggregation(LogicalPlan plan) => plan switch
    {
        LogicalAggregate => true,
        LogicalProject or LogicalFilter => IsAggregation(plan.Inputs[0]),
        _ => false,
    };

    private static long Micros(TimeSpan span) => span.Ticks / 10;

    /// <summary>A RIGHT JOIN is the LEFT JOIN of the inputs swapped, with the columns put back in order by a projection.</summary>
    private static LogicalPlan BindRightJoin(LogicalPlan left, LogicalPlan right, BoundExpression? condition, IReadOnlyList<ColumnSchema> columns, WithinClause? within, int position)
    {
        var leftWidth = left.Schema.Count;
        var rightWidth = right.Schema.Count;
        int Swapped(int index) => index < leftWidth ? index + rightWidth : index - leftWidth;
        var swappedCondition = condition is null ? null : BoundExpressionRewriter.Rewrite(condition, e => e is BoundColumn c ? c with { Index = Swapped(c.Index) } : null);
        var swappedColumns = columns.Skip(leftWidth).Concat(columns.Take(leftWidth)).ToList();
        var swapped = new LogicalJoin(right, left, JoinKind.Left, swappedCondition, swappedColumns);
        var expressions = columns.Select((c, i) => (BoundExpression)new BoundColumn(Swapped(i), c.Name, c.Type)).ToList();
        return new LogicalProject(Streaming(swapped, within, swapped: true, position), expressions, columns);
    }

    /// <summary>
    /// JOIN ... USING (c, ...): ON left.c = right.c for each, and the scope shows each c once (the left one for INNER and
    /// LEFT, the right one for RIGHT): unqualified c and SELECT * name it once, listed first, as in PostgreSQL.
    /// </summary>
    private static (Expression On, BindScope Scope) BindUsing(IReadOnlyList<string> names, JoinRelation join, BindScope leftScope, BindScope rightScope, BindScope scope)
    {
        Expression? on = null;
        var merged = new List<int>();
        var shadowed = new HashSet<int>(scope.Shadowed);
        var leftWidth = leftScope.Columns.Count;
        foreach (var name in names)
        {
            var l = ResolveUsing(leftScope, name, "left", join.Position);
            var r = ResolveUsing(rightScope, name, "right", join.Position) + leftWidth;
            var equal = new BinaryExpression(join.Position, BinaryOperator.Equal, QualifiedColumn(scope, l, join.Position), QualifiedColumn(scope, r, join.Position));
            on = on is null ? equal : new BinaryExpression(join.Position, BinaryOperator.And, on, equal);
            var (kept, hidden) = join.Kind == JoinKind.Right ? (r, l) : (l, r);
            merged.Add(kept);
            shadowed.Add(hidden);
        }

        var star = scope.StarColumns().Where(i => !merged.Contains(i) && !shadowed.Contains(i));
        return (on!, scope with { Shadowed = shadowed, StarOrder = [.. merged, .. star] });
    }

    /// <summary>A reference to the column at index of a join scope, qualified by the relation it belongs to.</summary>
    private static ColumnReference QualifiedColumn(BindScope scope, int index, int position)
    {
        var part = scope.Parts!.First(p => index >= p.Start && index < p.Start + p.Count);
        return new ColumnReference(position, part.Alias ?? part.Name, scope.Columns[index].Name);
    }

    private static int ResolveUsing(BindScope side, string name, string which, int position)
    {
        var found = -1;
        foreach (var i in side.StarColumns())
        {
            if (side.Columns[i].Name == name)
            {
                found = found < 0 ? i : throw new SqlException(SqlState.AmbiguousColumn, $"common column name \"{name}\" appears more than once in {which} table", position);
            }
        }

        return found >= 0 ? found : throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" specified in USING clause does not exist in {which} table", position);
    }

    private static IReadOnlyList<ColumnSchema> Rename(IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string>? aliases, int position)
    {
        if (aliases is null)
        {
            return columns;
        }

        var visible = columns.Count(c => !c.Hidden);
        if (aliases.Count > visible)
        {
            throw new SqlException(SqlState.InvalidColumnReference, $"table has {visible} columns available but {aliases.Count} columns specified", position);
        }

        var renamed = new List<ColumnSchema>(columns);
        for (var i = 0; i < aliases.Count; i++)
        {
            renamed[i] = renamed[i] with { Name = aliases[i] };
        }

        return renamed;
    }

    /// <summary>The WATERMARK delay of the stream a plan scans, if it has one.</summary>
    private static long? WatermarkOf(LogicalPlan plan) => plan switch
    {
        LogicalScan scan => scan.Source.WatermarkDelayMicros,
        _ when plan.Inputs.Count == 1 => WatermarkOf(plan.Inputs[0]),
        _ => null,
    };

    /// <summary>The column name PostgreSQL gives an unaliased expression (FigureColname).</summary>
    /// <summary>Whether a cast's operand gives the column its name (a column or a function, under any casts), as PostgreSQL decides: 'int4'::regtype::oid is "oid".</summary>
    private static bool NamesItself(Expression expression) => expression switch
    {
        ColumnReference or FunctionCall => true,
        CastExpression c => NamesItself(c.Operand),
        _ => false,
    };

    public static string OutputName(Expression expression) => expression switch
    {
        ColumnReference c => c.Name,
        FunctionCall { Name: "textregexeq" or "texticregexeq" } => "?column?",
        FunctionCall f => f.Name,
        CastExpression c => NamesItself(c.Operand) ? OutputName(c.Operand)
            : TypeResolver.TryResolve(c.Type is { Name: "array", Arguments: [var element] } ? element.Name : c.Type.Name) is { } t ? t.PgName : c.Type.Name,
        SubscriptExpression s => OutputName(s.Operand),

        // s->field (a struct's field, as ksqlDB names it); JSON's -> with a literal on the right stays ?column?.
        BinaryExpression { Operator: BinaryOperator.JsonField, Right: ColumnReference { Qualifier: null } field } => field.Name,
        ArraySubquery => "array",
        TypedLiteral t => TypeResolver.TryResolve(t.Type.Name) is { } type ? type.PgName : t.Type.Name,
        CaseExpression => "case",
        ExistsExpression => "exists",
        ArrayConstructor => "array",
        MapConstructor => "map",
        StructConstructor => "struct",
        _ => "?column?",
    };
}
