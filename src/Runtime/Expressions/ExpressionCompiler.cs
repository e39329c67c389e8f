using StreamSql.Parser.Ast;
using System.Linq.Expressions;
using System.Reflection;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;
using StreamSql.Runtime.Rows;
using L = System.Linq.Expressions.Expression;

namespace StreamSql.Runtime.Expressions;

/// <summary>Compiles a bound expression once into a delegate over a row; per-row work is straight-line calls, no tree walking.</summary>
public static class ExpressionCompiler
{
    public static Func<Value[], Value> Compile(BoundExpression expression) => Compile(expression, null);

    /// <param name="onError">
    /// When set, an error the expression raises (a SqlException) goes to onError and the result is NULL. The guard is
    /// compiled into the expression's own method rather than wrapped around its delegate: no second call per row.
    /// </param>
    public static Func<Value[], Value> Compile(BoundExpression expression, Action<SqlException>? onError)
    {
        var row = L.Parameter(typeof(Value[]), "row");
        var body = WithSharedSubexpressions(expression, () => Build(expression, row));
        return L.Lambda<Func<Value[], Value>>(Guarded(body, onError, L.Default(typeof(Value))), row).Compile();
    }

    /// <summary>Compiles a predicate: true only when the expression is TRUE (NULL and FALSE filter the row out).</summary>
    public static Func<Value[], bool> CompilePredicate(BoundExpression expression) => CompilePredicate(expression, null);

    /// <summary>As CompilePredicate; when onError is set, an error the expression raises goes to it and the row is filtered out.</summary>
    public static Func<Value[], bool> CompilePredicate(BoundExpression expression, Action<SqlException>? onError)
    {
        var row = L.Parameter(typeof(Value[]), "row");
        var body = WithSharedSubexpressions(expression, () => L.Call(Method(nameof(ValueOps.IsTrue)), Build(expression, row)));
        return L.Lambda<Func<Value[], bool>>(Guarded(body, onError, L.Constant(false)), row).Compile();
    }

    private static L Guarded(L body, Action<SqlException>? onError, L fallback)
    {
        if (onError is null)
        {
            return body;
        }

        var error = L.Parameter(typeof(SqlException), "error");
        return L.TryCatch(body, L.Catch(error, L.Block(L.Invoke(L.Constant(onError), error), fallback)));
    }

    // The expression being compiled on this thread: Build consults it for subexpressions computed once per row.
    [ThreadStatic]
    private static RepeatedSubexpressions? _shared;

    private static L WithSharedSubexpressions(BoundExpression expression, Func<L> build)
    {
        var outer = _shared;
        _shared = new RepeatedSubexpressions(expression);
        try
        {
            return _shared.Wrap(build());
        }
        finally
        {
            _shared = outer;
        }
    }

    private static MethodInfo Method(string name, Type? owner = null, int parameters = -1)
    {
        var type = owner ?? typeof(ValueOps);
        foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (m.Name == name && (parameters < 0 || m.GetParameters().Length == parameters))
            {
                return m;
            }
        }

        throw new InvalidOperationException($"no method {type.Name}.{name}");
    }

    private static L Build(BoundExpression expression, ParameterExpression row)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return _shared is { } shared ? shared.Build(expression, () => BuildNode(expression, row)) : BuildNode(expression, row);
    }

    private static L BuildNode(BoundExpression expression, ParameterExpression row) => expression switch
    {
        BoundColumn c => L.ArrayIndex(row, L.Constant(c.Index)),
        BoundLiteral l => L.Constant(Value.FromConstant(l.Value, l.Type)),
        BoundBinary b => BuildBinary(b, row),
        BoundNegate n => L.Call(Method(n.Type.Kind switch
        {
            SqlTypeKind.Int => nameof(ValueOps.NegateInt),
            SqlTypeKind.SmallInt => nameof(ValueOps.NegateSmallInt),
            SqlTypeKind.Real => nameof(ValueOps.NegateReal),
            SqlTypeKind.BigInt => nameof(ValueOps.NegateBigInt),
            SqlTypeKind.Numeric => nameof(ValueOps.NegateNumeric),
            SqlTypeKind.Interval => nameof(DateTimeOps.NegateInterval),
            _ => nameof(ValueOps.NegateDouble),
        }, n.Type.Kind == SqlTypeKind.Interval ? typeof(DateTimeOps) : null), Build(n.Operand, row)),
        BoundNot n => L.Call(Method(nameof(ValueOps.Not)), Build(n.Operand, row)),
        BoundIsNull n => BuildIsNull(n, row),
        BoundIsBoolean b => L.Call(Method(nameof(ValueOps.IsBoolean)), Build(b.Operand, row), L.Constant(b.Value), L.Constant(b.Negated)),
        BoundLike l => L.Call(L.Constant(new LikeMatcher(l.CaseInsensitive)), typeof(LikeMatcher).GetMethod(nameof(LikeMatcher.Match))!,
            Build(l.Operand, row), Build(l.Pattern, row), l.Escape is null ? L.Constant(Value.Null) : Build(l.Escape, row), L.Constant(l.Negated)),
        BoundInList i => BuildInList(i, row),
        BoundCase c => BuildCase(c, row),
        BoundCast c => L.Call(Method(nameof(CastOps.Cast), typeof(CastOps)), Build(c.Operand, row), L.Constant(c.Type)),
        BoundFunctionCall f => BuildFunction(f, row),
        _ => throw SqlException.NotSupported(expression.GetType().Name),
    };

    private static L BuildIsNull(BoundIsNull n, ParameterExpression row)
    {
        var isNull = L.Property(Build(n.Operand, row), nameof(Value.IsNull));
        var test = n.Negated ? L.Not(isNull) : (L)isNull;
        return L.Condition(test, L.Constant(ValueOps.True), L.Constant(ValueOps.False));
    }

    private static L BuildBinary(BoundBinary b, ParameterExpression row)
    {
        var left = Build(b.Left, row);
        var right = Build(b.Right, row);
        switch (b.Operator)
        {
            case BinaryOperator.And:
                return L.Call(Method(nameof(ValueOps.And)), left, right);
            case BinaryOperator.Or:
                return L.Call(Method(nameof(ValueOps.Or)), left, right);
            case BinaryOperator.Concat:
                return L.Call(Method(b.Type.Kind == SqlTypeKind.Bytea ? nameof(ValueOps.ConcatBytes) : nameof(ValueOps.Concat)), left, right);
            case BinaryOperator.JsonField or BinaryOperator.JsonFieldText:
                return L.Call(Method(nameof(TextFunctions.JsonGet), typeof(TextFunctions)), left, right, L.Constant(b.Operator == BinaryOperator.JsonFieldText));
            case BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide
                when IsTemporal(b.Left.Type) || IsTemporal(b.Right.Type):
                // Date/time operators are chosen by both operand kinds: AddTimestampInterval, SubtractDateDate, ...
                return L.Call(Method(b.Operator.ToString() + b.Left.Type.Kind + b.Right.Type.Kind, typeof(DateTimeOps)), left, right);
            case BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Modulo:
                var suffix = b.Type.Kind switch
                {
                    SqlTypeKind.SmallInt => "SmallInt",
                    SqlTypeKind.Real => "Real",
                    SqlTypeKind.Int => "Int",
                    SqlTypeKind.BigInt => "BigInt",
                    SqlTypeKind.Numeric => "Numeric",
                    _ => "Double",
                };
                return L.Call(Method(b.Operator + suffix), left, right);
            default:
                return BuildComparison(b.Operator, b.Left.Type, left, right);
        }
    }

    private static bool IsTemporal(SqlType type) => type.IsDateTime || type.Kind is SqlTypeKind.Interval or SqlTypeKind.Time;

    private static MethodInfo CompareMethod(SqlType type) => type.Kind == SqlTypeKind.Interval ? Method(nameof(DateTimeOps.CompareInterval), typeof(DateTimeOps)) : Method(type.Kind switch
    {
        SqlTypeKind.Double or SqlTypeKind.Real => nameof(ValueOps.CompareDouble),
        SqlTypeKind.Numeric => nameof(ValueOps.CompareNumeric),
        SqlTypeKind.Varchar or SqlTypeKind.Unknown => nameof(ValueOps.CompareString),
        SqlTypeKind.Boolean => nameof(ValueOps.CompareBoolean),
        SqlTypeKind.Bytea => nameof(ValueOps.CompareBytes),
        SqlTypeKind.Array => nameof(ValueOps.CompareArray),
        _ => nameof(ValueOps.CompareLong),
    });

    /// <summary>Both operands are evaluated into locals once; NULL on either side gives NULL (or decides IS DISTINCT FROM).</summary>
    private static L BuildComparison(BinaryOperator op, SqlType operandType, L left, L right)
    {
        var a = L.Variable(typeof(Value), "a");
        var b = L.Variable(typeof(Value), "b");
        var aNull = L.Property(a, nameof(Value.IsNull));
        var bNull = L.Property(b, nameof(Value.IsNull));
        var cmp = L.Call(CompareMethod(operandType), a, b);
        var zero = L.Constant(0);
        L test = op switch
        {
            BinaryOperator.Equal or BinaryOperator.IsNotDistinctFrom => L.Equal(cmp, zero),
            BinaryOperator.NotEqual or BinaryOperator.IsDistinctFrom => L.NotEqual(cmp, zero),
            BinaryOperator.Less => L.LessThan(cmp, zero),
            BinaryOperator.LessOrEqual => L.LessThanOrEqual(cmp, zero),
            BinaryOperator.Greater => L.GreaterThan(cmp, zero),
            _ => L.GreaterThanOrEqual(cmp, zero),
        };
        var result = L.Condition(test, L.Constant(ValueOps.True), L.Constant(ValueOps.False));
        L body;
        if (op is BinaryOperator.IsDistinctFrom or BinaryOperator.IsNotDistinctFrom)
        {
            var distinct = op == BinaryOperator.IsDistinctFrom;
            // Both NULL: not distinct; one NULL: distinct; else compare.
            body = L.Condition(L.AndAlso(aNull, bNull), L.Constant(distinct ? ValueOps.False : ValueOps.True),
                L.Condition(L.OrElse(aNull, bNull), L.Constant(distinct ? ValueOps.True : ValueOps.False), result));
        }
        else
        {
            body = L.Condition(L.OrElse(aNull, bNull), L.Constant(Value.Null), result);
        }

        return L.Block(typeof(Value), [a, b], L.Assign(a, left), L.Assign(b, right), body);
    }

    /// <summary>x IN (v1, v2): TRUE on a match, else NULL if x or any value is NULL, else FALSE.</summary>
    private static L BuildInList(BoundInList inList, ParameterExpression row)
    {
        var x = L.Variable(typeof(Value), "x");
        var sawNull = L.Variable(typeof(bool), "sawNull");
        var found = L.Label(typeof(Value), "found");
        var statements = new List<L> { L.Assign(x, Build(inList.Operand, row)), L.Assign(sawNull, L.Property(x, nameof(Value.IsNull))) };
        var compare = CompareMethod(inList.Operand.Type);
        foreach (var item in inList.Values)
        {
            var v = L.Variable(typeof(Value), "v");
            statements.Add(L.Block([v],
                L.Assign(v, Build(item, row)),
                L.IfThenElse(L.Property(v, nameof(Value.IsNull)), L.Assign(sawNull, L.Constant(true)),
                    L.IfThen(L.AndAlso(L.Not(L.Property(x, nameof(Value.IsNull))), L.Equal(L.Call(compare, x, v), L.Constant(0))),
                        L.Return(found, L.Constant(inList.Negated ? ValueOps.False : ValueOps.True))))));
        }

        statements.Add(L.Label(found, L.Condition(sawNull, L.Constant(Value.Null), L.Constant(inList.Negated ? ValueOps.True : ValueOps.False))));
        return L.Block(typeof(Value), [x, sawNull], statements);
    }

    private static L BuildCase(BoundCase @case, ParameterExpression row)
    {
        L result = @case.Else is null ? L.Constant(Value.Null) : Build(@case.Else, row);
        for (var i = @case.Whens.Count - 1; i >= 0; i--)
        {
            var when = @case.Whens[i];
            result = L.Condition(L.Call(Method(nameof(ValueOps.IsTrue)), Build(when.Condition, row)), Build(when.Result, row), result);
        }

        return result;
    }

    private static readonly Type[] FunctionClasses = [typeof(ScalarFunctions), typeof(TextFunctions), typeof(MathFunctions), typeof(TimeFunctions), typeof(CatalogFunctions), typeof(ToCharFunctions), typeof(ArrayFunctions), typeof(MapFunctions)];

    private static L BuildFunction(BoundFunctionCall call, ParameterExpression row)
    {
        var args = call.Arguments.Select(a => Build(a, row)).ToArray();
        switch (call.Name)
        {
            case "coalesce":
                // Lazy: later arguments are evaluated only while the earlier ones are NULL.
                L result = L.Constant(Value.Null);
                for (var i = args.Length - 1; i >= 0; i--)
                {
                    var v = L.Variable(typeof(Value), "v");
                    result = L.Block(typeof(Value), [v], L.Assign(v, args[i]), L.Condition(L.Property(v, nameof(Value.IsNull)), result, v));
                }

                return result;
            case "concat" or "concat_ws":
                return L.Call(Method(call.Name == "concat" ? nameof(ScalarFunctions.Concat) : nameof(TextFunctions.ConcatWs), call.Name == "concat" ? typeof(ScalarFunctions) : typeof(TextFunctions)),
                    L.NewArrayInit(typeof(Value), args));
            case "array":
                return L.Call(Method(nameof(ArrayFunctions.MakeArray), typeof(ArrayFunctions)), L.NewArrayInit(typeof(Value), args));
            case "map":
                return L.Call(Method(nameof(MapFunctions.MakeMap), typeof(MapFunctions)), L.NewArrayInit(typeof(Value), args));
            case "struct":
                return L.Call(Method(nameof(MapFunctions.MakeStruct), typeof(MapFunctions)), L.Constant(call.Type.Fields!.Select(f => f.Name).ToArray()), L.NewArrayInit(typeof(Value), args));
            case "greatest" or "least":
                return L.Call(Method(nameof(MathFunctions.Extreme), typeof(MathFunctions)), L.NewArrayInit(typeof(Value), args), L.Constant(call.Type.Kind), L.Constant(call.Name == "greatest"));
            case "nullif":
                return L.Call(Method(nameof(MathFunctions.Nullif), typeof(MathFunctions)), args[0], args[1], L.Constant(call.Type.Kind));
        }

        // Overloads by type are methods suffixed with the result type (AbsNumeric); others use the plain name.
        var name = string.Concat(call.Name.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        var suffix = call.Type.Kind switch
        {
            SqlTypeKind.TimestampTz => "TimestampTz",
            SqlTypeKind.SmallInt => "SmallInt",
            SqlTypeKind.Real => "Real",
            SqlTypeKind.Int => "Int",
            SqlTypeKind.BigInt => "BigInt",
            SqlTypeKind.Numeric => "Numeric",
            SqlTypeKind.Double => "Double",
            _ => "",
        };
        foreach (var candidate in (string[])[name + suffix, name])
        {
            foreach (var type in FunctionClasses)
            {
                if (TryMethod(type, candidate, args.Length) is { } method)
                {
                    return L.Call(method, args);
                }
            }
        }

        throw new InvalidOperationException($"no implementation for function {call.Name}({args.Length} arguments)");
    }

    private static MethodInfo? TryMethod(Type owner, string name, int parameters)
    {
        foreach (var m in owner.GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (m.Name == name && m.GetParameters().Length == parameters && m.GetParameters().All(p => p.ParameterType == typeof(Value)))
            {
                return m;
            }
        }

        return null;
    }
}
