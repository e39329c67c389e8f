using StreamSql.Parser.Ast;

namespace StreamSql.Planner.Binder;

/// <summary>Rewrites an AST expression top-down: the mapper may replace a node (its children are then not visited), otherwise children are rewritten.</summary>
internal static class AstExpressionRewriter
{
    public static Expression Rewrite(Expression e, Func<Expression, Expression?> map)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (map(e) is { } replaced)
        {
            return replaced;
        }

        Expression R(Expression x) => Rewrite(x, map);
        return e switch
        {
            BinaryExpression b => b with { Left = R(b.Left), Right = R(b.Right) },
            UnaryMinus u => u with { Operand = R(u.Operand) },
            NotExpression n => n with { Operand = R(n.Operand) },
            IsNullExpression n => n with { Operand = R(n.Operand) },
            IsBooleanExpression b => b with { Operand = R(b.Operand) },
            LikeExpression l => l with { Operand = R(l.Operand), Pattern = R(l.Pattern), Escape = l.Escape is null ? null : R(l.Escape) },
            BetweenExpression b => b with { Operand = R(b.Operand), Lower = R(b.Lower), Upper = R(b.Upper) },
            InListExpression i => i with { Operand = R(i.Operand), Values = i.Values.Select(R).ToList() },
            CaseExpression c => c with
            {
                Operand = c.Operand is null ? null : R(c.Operand),
                Whens = c.Whens.Select(w => w with { Condition = R(w.Condition), Result = R(w.Result) }).ToList(),
                Else = c.Else is null ? null : R(c.Else),
            },
            CastExpression c => c with { Operand = R(c.Operand) },
            FunctionCall f => f with { Arguments = f.Arguments.Select(R).ToList() },
            ArrayConstructor a => a with { Elements = a.Elements.Select(R).ToList() },
            MapConstructor m => m with { Keys = m.Keys.Select(R).ToList(), Values = m.Values.Select(R).ToList() },
            StructConstructor st => st with { Values = st.Values.Select(R).ToList() },
            SubscriptExpression s => s with { Operand = R(s.Operand), Index = R(s.Index) },
            _ => e,
        };
    }

    /// <summary>True when any node of the expression satisfies the predicate.</summary>
    public static bool Any(Expression e, Func<Expression, bool> predicate)
    {
        var found = false;
        Rewrite(e, x =>
        {
            found |= predicate(x);
            return found ? x : null;
        });
        return found;
    }
}
