using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Catalog;
using StreamSql.Planner.Explain;
using StreamSql.Planner.Functions;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>
/// Binds GROUP BY / aggregate queries: group keys and aggregate calls become the columns of a LogicalAggregate, and the
/// SELECT list and HAVING are rewritten to read those columns (a bare column that is not grouped is error 42803).
/// </summary>
internal sealed class AggregateBinder
{
    private const string KeyPrefix = "#key";
    private const string AggregatePrefix = "#agg";
    private readonly ExpressionBinder _input;
    private readonly List<BoundExpression> _keys = [];
    private readonly List<string> _keyTexts = [];
    private readonly List<BoundAggregate> _aggregates = [];
    private readonly LogicalPlan _inputPlan;

    public AggregateBinder(ExpressionBinder input, LogicalPlan inputPlan)
    {
        _input = input;
        _inputPlan = inputPlan;
    }

    public static bool IsAggregateQuery(QuerySpecification spec) =>
        spec.GroupBy.Count > 0 || spec.Having is not null
        || spec.Items.OfType<SelectExpression>().Any(i => AstExpressionRewriter.Any(i.Expression, IsAggregateCall));

    private static bool IsAggregateCall(Expression e) => e is FunctionCall f && (f.Star || FunctionRegistry.IsAggregate(f.Name));

    public void AddKey(Expression key)
    {
        if (AstExpressionRewriter.Any(key, IsAggregateCall))
        {
            throw new SqlException(SqlState.GroupingError, "aggregate functions are not allowed in GROUP BY", key.Position);
        }

        var bound = _input.Bind(key);
        _keys.Add(bound);
        _keyTexts.Add(PlanPrinter.Render(bound, _inputPlan));
    }

    /// <summary>Replaces aggregate calls and grouped sub-expressions by references to the aggregate's output columns.</summary>
    public Expression RewriteOutput(Expression expression) =>
        AstExpressionRewriter.Rewrite(expression, e =>
        {
            if (e is FunctionCall call && IsAggregateCall(call))
            {
                return new ColumnReference(call.Position, null, AggregatePrefix + BindAggregate(call));
            }

            if (AstExpressionRewriter.Any(e, IsAggregateCall))
            {
                return null;
            }

            BoundExpression bound;
            try
            {
                bound = _input.Bind(e);
            }
            catch (SqlException)
            {
                return null;
            }

            var index = _keyTexts.IndexOf(PlanPrinter.Render(bound, _inputPlan));
            if (index >= 0)
            {
                return new ColumnReference(e.Position, null, KeyPrefix + index);
            }

            if (e is ColumnReference column)
            {
                var name = column.Qualifier is null ? column.Name : column.Qualifier + "." + column.Name;
                throw new SqlException(SqlState.GroupingError, $"column \"{name}\" must appear in the GROUP BY clause or be used in an aggregate function", e.Position);
            }

            return null;
        });

    private int BindAggregate(FunctionCall call)
    {
        var name = FunctionRegistry.Canonical(call.Name);
        if (call.Arguments.Any(a => AstExpressionRewriter.Any(a, IsAggregateCall)))
        {
            throw new SqlException(SqlState.GroupingError, "aggregate function calls cannot be nested", call.Position);
        }

        var args = call.Arguments.Select(a => ExpressionBinder.Resolve(_input.Bind(a), a.Position)).ToList();
        var type = ResultType(name, call, args);
        if (name == "string_agg")
        {
            args = [Coercion.Convert(args[0], SqlType.Varchar, call.Position), Coercion.Convert(args[1], SqlType.Varchar, call.Position)];
        }

        _aggregates.Add(new BoundAggregate(name, args, call.Distinct, call.Star, type));
        return _aggregates.Count - 1;
    }

    private static SqlType ResultType(string name, FunctionCall call, List<BoundExpression> args)
    {
        if (call.Star)
        {
            return name == "count" ? SqlType.BigInt : throw Mismatch(call, args);
        }

        var arity = name is "string_agg" or "topk" or "topkdistinct" ? 2 : 1;
        if (args.Count != arity)
        {
            throw Mismatch(call, args);
        }

        var t = args[0].Type;
        return name switch
        {
            "count" => SqlType.BigInt,
            "sum" when t.Kind is SqlTypeKind.SmallInt or SqlTypeKind.Int => SqlType.BigInt,
            "sum" when t.Kind is SqlTypeKind.BigInt or SqlTypeKind.Numeric => SqlType.Numeric,
            "sum" when t.Kind is SqlTypeKind.Double or SqlTypeKind.Real or SqlTypeKind.Interval => t,
            "avg" when t.Kind is SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt or SqlTypeKind.Numeric => SqlType.Numeric,
            "avg" when t.Kind is SqlTypeKind.Double or SqlTypeKind.Interval => t,
            "avg" when t.Kind == SqlTypeKind.Real => SqlType.Double,
            "min" or "max" or "latest_by_offset" or "earliest_by_offset" => t with { Precision = null, NumericScale = null },
            "stddev_samp" or "stddev_pop" or "var_samp" or "var_pop" when t.Kind is SqlTypeKind.SmallInt or SqlTypeKind.Int or SqlTypeKind.BigInt or SqlTypeKind.Numeric => SqlType.Numeric,
            "stddev_samp" or "stddev_pop" or "var_samp" or "var_pop" when t.Kind is SqlTypeKind.Double or SqlTypeKind.Real => SqlType.Double,
            "bool_and" or "bool_or" when t.Kind == SqlTypeKind.Boolean => SqlType.Boolean,
            "string_agg" => SqlType.Varchar,
            "array_agg" when call.Distinct => throw SqlException.NotSupported("array_agg(DISTINCT ...)", call.Position),
            "array_agg" or "collect_set" when t.Kind == SqlTypeKind.Array => throw SqlException.NotSupported("aggregating arrays into multidimensional arrays", call.Position),
            "array_agg" or "collect_set" => SqlType.ArrayOf(t.Kind == SqlTypeKind.Unknown ? SqlType.Varchar : t with { Precision = null, NumericScale = null }),
            "topk" or "topkdistinct" when t.Kind == SqlTypeKind.Array => throw SqlException.NotSupported("aggregating arrays into multidimensional arrays", call.Position),
            "topk" or "topkdistinct" => TopKType(call, args, t),
            "histogram" when t.Kind is SqlTypeKind.Varchar or SqlTypeKind.Unknown => SqlType.MapOf(SqlType.Varchar, SqlType.BigInt),
            _ => throw Mismatch(call, args),
        };
    }

    /// <summary>ksqlDB's TOPK(col, k) / TOPKDISTINCT(col, k): an array of the k greatest values; k is a positive integer constant.</summary>
    private static SqlType TopKType(FunctionCall call, List<BoundExpression> args, SqlType t)
    {
        if (args[1] is not BoundLiteral { Value: int or long or short } k || Convert.ToInt64(k.Value, System.Globalization.CultureInfo.InvariantCulture) is < 1 or > 10_000)
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"{call.Name}: k must be an integer constant between 1 and 10000", call.Arguments[1].Position);
        }

        return SqlType.ArrayOf(t.Kind == SqlTypeKind.Unknown ? SqlType.Varchar : t with { Precision = null, NumericScale = null });
    }

    private static SqlException Mismatch(FunctionCall call, List<BoundExpression> args) =>
        new(SqlState.UndefinedFunction, $"function {call.Name}({(call.Star ? "*" : string.Join(", ", args.Select(a => a.Type.DisplayName)))}) does not exist", call.Position,
            hint: "No function matches the given name and argument types. You might need to add explicit type casts.");

    public LogicalAggregate Build()
    {
        var columns = new List<ColumnSchema>();
        for (var i = 0; i < _keys.Count; i++)
        {
            columns.Add(new ColumnSchema(KeyPrefix + i, _keys[i].Type));
        }

        for (var i = 0; i < _aggregates.Count; i++)
        {
            columns.Add(new ColumnSchema(AggregatePrefix + i, _aggregates[i].Type));
        }

        return new LogicalAggregate(_inputPlan, _keys, _aggregates, columns);
    }

    /// <summary>Output expressions bind against the aggregate's columns; before Build the aggregate list may still grow.</summary>
    public BindScope OutputScope(LogicalAggregate aggregate) => new("#aggregate", null, aggregate.Columns);
}
