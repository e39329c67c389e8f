using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>
/// The Top-N form (Flink SQL): SELECT ... FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY p ORDER BY o) AS rn FROM s) t
/// WHERE rn &lt;= N [AND ...]. The outer WHERE's rank bound becomes the limit of a <see cref="LogicalTopN"/> under the
/// subquery's SELECT list; every other use of a window function is rejected with 0A000.
/// </summary>
public static partial class QueryBinder
{
    /// <summary>The subquery whose ROW_NUMBER() the outer query being bound filters by rank, and the limit that filter sets.</summary>
    private sealed record PendingTopN(QuerySpecification Inner, SelectExpression RankItem, long Limit);

    // Set while the FROM of a Top-N outer query is bound, so the subquery's binding knows its limit.
    [ThreadStatic]
    private static PendingTopN? _pendingTopN;

    /// <summary>Why a window function cannot run, with where it is and the one form that can.</summary>
    internal static SqlException WindowFunctionNotSupported(FunctionCall function) =>
        function.Name == "row_number" && function.Arguments.Count == 0
            ? new SqlException(SqlState.FeatureNotSupported,
                "ROW_NUMBER() OVER (...) is supported only as a Top-N: a subquery in FROM that selects it, filtered by the outer query's WHERE rank <= N",
                function.Position,
                hint: "For example: SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM s) t WHERE rn <= 3")
            : new SqlException(SqlState.FeatureNotSupported, $"window function {function.Name}() is not supported yet", function.Position,
                hint: "Only ROW_NUMBER() is, in the Top-N form (WHERE rank <= N on a subquery that selects it).");

    /// <summary>
    /// When spec is the outer query of a Top-N, returns it with the rank bound taken out of its WHERE (the rest stays: it
    /// filters the ranked rows) and records the limit for the subquery's binding; otherwise spec unchanged.
    /// </summary>
    private static QuerySpecification MatchTopN(QuerySpecification spec)
    {
        if (spec.From is not [SubqueryRelation { Query: { Body: QuerySpecification inner } subquery } relation]
            || FindWindowItem(inner) is not { } rankItem)
        {
            return spec;
        }

        var function = (FunctionCall)rankItem.Expression;
        if (function.Name != "row_number" || function.Arguments.Count > 0 || function.Star || function.Distinct)
        {
            throw WindowFunctionNotSupported(function);
        }

        if (subquery.OrderBy.Count > 0 || subquery.Limit is not null || subquery.Offset is not null || subquery.Emit != EmitMode.None)
        {
            throw SqlException.NotSupported("ORDER BY, LIMIT or OFFSET in a Top-N subquery", subquery.Position);
        }

        if (spec.Distinct || spec.Window is not null || AggregateBinder.IsAggregateQuery(spec))
        {
            throw SqlException.NotSupported("DISTINCT, WINDOW or an aggregation over ROW_NUMBER()", spec.Position);
        }

        var rankName = RankColumnName(inner, rankItem, relation.ColumnAliases);
        long? limit = null;
        Expression? residual = null;
        foreach (var conjunct in Conjuncts(spec.Where))
        {
            if (RankBound(conjunct, rankName, relation.Alias) is { } bound)
            {
                limit = limit is { } l ? Math.Min(l, bound) : bound;
                continue;
            }

            residual = residual is null ? conjunct : new BinaryExpression(conjunct.Position, BinaryOperator.And, residual, conjunct);
        }

        if (limit is not { } n)
        {
            throw WindowFunctionNotSupported(function);
        }

        if (n < 1)
        {
            throw SqlException.NotSupported("a Top-N whose rank bound keeps no row", spec.Where!.Position);
        }

        _pendingTopN = new PendingTopN(inner, rankItem, n);
        return spec with { Where = residual };
    }

    /// <summary>The SELECT item of a subquery that is a window function call (only one is allowed).</summary>
    private static SelectExpression? FindWindowItem(QuerySpecification inner)
    {
        SelectExpression? found = null;
        foreach (var item in inner.Items)
        {
            if (item is SelectExpression { Expression: FunctionCall { Over: not null } f } e)
            {
                if (found is not null)
                {
                    throw SqlException.NotSupported("more than one window function in a SELECT list", f.Position);
                }

                found = e;
            }
        }

        return found;
    }

    /// <summary>The name the outer query sees the rank by: the subquery's column alias, else the item's alias, else row_number.</summary>
    private static string RankColumnName(QuerySpecification inner, SelectExpression rankItem, IReadOnlyList<string>? columnAliases)
    {
        var index = inner.Items.ToList().IndexOf(rankItem);
        if (columnAliases is not null && index < columnAliases.Count && inner.Items.Take(index).All(i => i is SelectExpression))
        {
            return columnAliases[index];
        }

        return rankItem.Alias ?? "row_number";
    }

    private static IEnumerable<Expression> Conjuncts(Expression? where)
    {
        if (where is null)
        {
            yield break;
        }

        if (where is BinaryExpression { Operator: BinaryOperator.And } and)
        {
            foreach (var c in Conjuncts(and.Left))
            {
                yield return c;
            }

            foreach (var c in Conjuncts(and.Right))
            {
                yield return c;
            }

            yield break;
        }

        yield return where;
    }

    /// <summary>The limit a conjunct sets on the rank (rn &lt;= N, rn &lt; N, rn = 1, or the same with the sides swapped), else null.</summary>
    private static long? RankBound(Expression conjunct, string rankName, string? alias)
    {
        if (conjunct is not BinaryExpression b)
        {
            return null;
        }

        var op = b.Operator;
        if (IsRank(b.Left, rankName, alias) && b.Right is IntegerLiteral right)
        {
            return Bound(op, right);
        }

        if (IsRank(b.Right, rankName, alias) && b.Left is IntegerLiteral left)
        {
            // N >= rn is rn <= N.
            var flipped = op switch
            {
                BinaryOperator.GreaterOrEqual => BinaryOperator.LessOrEqual,
                BinaryOperator.Greater => BinaryOperator.Less,
                BinaryOperator.LessOrEqual => BinaryOperator.GreaterOrEqual,
                BinaryOperator.Less => BinaryOperator.Greater,
                _ => op,
            };
            return Bound(flipped, left);
        }

        return null;
    }

    private static long? Bound(BinaryOperator op, IntegerLiteral literal)
    {
        if (!long.TryParse(literal.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }

        return op switch
        {
            BinaryOperator.LessOrEqual => n,
            BinaryOperator.Less => n - 1,
            BinaryOperator.Equal when n == 1 => 1,
            _ => null,
        };
    }

    private static bool IsRank(Expression e, string rankName, string? alias) =>
        e is ColumnReference c && c.Name == rankName && (c.Qualifier is null || c.Qualifier == alias);

    /// <summary>Rejects window functions anywhere in a SELECT but the one item of the Top-N subquery being bound.</summary>
    private static void RejectWindowFunctions(QuerySpecification spec, SelectExpression? allowed)
    {
        var expressions = new List<Expression>();
        foreach (var item in spec.Items)
        {
            if (item is SelectExpression e && !ReferenceEquals(e, allowed))
            {
                expressions.Add(e.Expression);
            }
        }

        expressions.AddRange(spec.GroupBy);
        expressions.AddRange(spec.PartitionBy);
        if (spec.Where is not null)
        {
            expressions.Add(spec.Where);
        }

        if (spec.Having is not null)
        {
            expressions.Add(spec.Having);
        }

        foreach (var expression in expressions)
        {
            FunctionCall? window = null;
            if (AstExpressionRewriter.Any(expression, x => x is FunctionCall { Over: not null } f && (window ??= f) is not null))
            {
                throw WindowFunctionNotSupported(window!);
            }
        }
    }

    /// <summary>The Top-N subquery: its FROM and WHERE, then the Top-N, then its SELECT list with the rank as a column.</summary>
    private static (LogicalPlan Plan, StreamDefinition? Source) BindTopN(QuerySpecification spec, PendingTopN pending, CatalogStore catalog)
    {
        if (spec.Distinct || spec.Window is not null || spec.PartitionBy.Count > 0 || AggregateBinder.IsAggregateQuery(spec))
        {
            throw SqlException.NotSupported("ROW_NUMBER() with DISTINCT, WINDOW, PARTITION BY or an aggregation in the same SELECT", spec.Position);
        }

        if (spec.From.Any(f => f is TableFunctionRelation))
        {
            throw SqlException.NotSupported("ROW_NUMBER() over a window table function", spec.Position);
        }

        var (plan, source, scope) = BindFrom(spec.From, catalog);
        var binder = NewBinder(scope, spec.From);
        if (spec.Where is not null)
        {
            plan = new LogicalFilter(plan, binder.BindCondition(spec.Where, "WHERE"));
        }

        var over = ((FunctionCall)pending.RankItem.Expression).Over!;
        var partitionKeys = new List<BoundExpression>();
        foreach (var expression in over.PartitionBy)
        {
            partitionKeys.Add(ExpressionBinder.Resolve(binder.Bind(expression), expression.Position));
        }

        var sortKeys = new List<SortKey>();
        foreach (var item in over.OrderBy)
        {
            var key = ExpressionBinder.Resolve(binder.Bind(item.Expression), item.Position);
            if (key.Type.IsComposite)
            {
                throw new SqlException(SqlState.UndefinedFunction, $"could not identify an ordering operator for type {key.Type.DisplayName}", item.Position);
            }

            sortKeys.Add(new SortKey(key, item.Descending, item.NullsFirst ?? item.Descending));
        }

        var rankName = pending.RankItem.Alias ?? "row_number";
        var topN = new LogicalTopN(plan, partitionKeys, sortKeys, pending.Limit, rankName, RankOutput: false);
        var expressions = new List<BoundExpression>();
        var columns = new List<ColumnSchema>();
        foreach (var item in spec.Items)
        {
            switch (item)
            {
                case AllColumns all:
                    var (start, count) = scope.Range(all.Qualifier, all.Position);
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
                case SelectExpression e when ReferenceEquals(e, pending.RankItem):
                    expressions.Add(new BoundColumn(topN.RankIndex, rankName, SqlType.BigInt));
                    columns.Add(new ColumnSchema(rankName, SqlType.BigInt));
                    break;
                case SelectExpression e:
                    // The input's columns keep their places in the Top-N's rows, so the FROM scope binds the other items.
                    var bound = BindSelectExpression(e, binder, spec.From);
                    expressions.Add(bound);
                    columns.Add(new ColumnSchema(e.Alias ?? OutputName(e.Expression), bound.Type));
                    break;
            }
        }

        return (new LogicalProject(topN, expressions, columns), source);
    }

    /// <summary>
    /// The outer query of a Top-N, bound: tells the Top-N whether the outer SELECT list reads the rank (then the result is
    /// keyed by partition and rank; otherwise by the rows themselves).
    /// </summary>
    private static LogicalPlan MarkRankOutput(LogicalPlan outer)
    {
        if (outer is not LogicalProject project)
        {
            return outer;
        }

        var filter = project.Input as LogicalFilter;
        if ((filter?.Input ?? project.Input) is not LogicalProject { Input: LogicalTopN topN } inner)
        {
            return outer;
        }

        var used = new HashSet<int>();
        BoundExpressionRewriter.CollectColumns(project.Expressions, used);

        var selectsRank = false;
        for (var j = 0; j < inner.Expressions.Count; j++)
        {
            selectsRank |= used.Contains(j) && inner.Expressions[j] is BoundColumn c && c.Index == topN.RankIndex;
        }

        if (!selectsRank)
        {
            return outer;
        }

        LogicalPlan below = inner with { Input = topN with { RankOutput = true } };
        if (filter is not null)
        {
            below = filter with { Input = below };
        }

        return project with { Input = below };
    }
}
