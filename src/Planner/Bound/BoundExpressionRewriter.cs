namespace StreamSql.Planner.Bound;

/// <summary>Rebuilds a bound expression bottom-up: each node's children are rewritten first, then the node itself is offered to the mapper.</summary>
public static class BoundExpressionRewriter
{
    /// <param name="map">Returns a replacement for a node (whose children are already rewritten), or null to keep it.</param>
    public static BoundExpression Rewrite(BoundExpression expression, Func<BoundExpression, BoundExpression?> map)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var rebuilt = expression switch
        {
            BoundBinary b => b with { Left = Rewrite(b.Left, map), Right = Rewrite(b.Right, map) },
            BoundNegate n => new BoundNegate(Rewrite(n.Operand, map)),
            BoundNot n => new BoundNot(Rewrite(n.Operand, map)),
            BoundIsNull n => n with { Operand = Rewrite(n.Operand, map) },
            BoundIsBoolean b => b with { Operand = Rewrite(b.Operand, map) },
            BoundLike l => l with { Operand = Rewrite(l.Operand, map), Pattern = Rewrite(l.Pattern, map), Escape = l.Escape is null ? null : Rewrite(l.Escape, map) },
            BoundInList i => i with { Operand = Rewrite(i.Operand, map), Values = i.Values.Select(v => Rewrite(v, map)).ToList() },
            BoundCase c => c with { Whens = c.Whens.Select(w => new BoundWhen(Rewrite(w.Condition, map), Rewrite(w.Result, map))).ToList(), Else = c.Else is null ? null : Rewrite(c.Else, map) },
            BoundCast c => c with { Operand = Rewrite(c.Operand, map) },
            BoundFunctionCall f => f with { Arguments = f.Arguments.Select(a => Rewrite(a, map)).ToList() },
            _ => expression,
        };
        return map(rebuilt) ?? rebuilt;
    }

    /// <summary>Replaces every column reference by the expression that computes it in the input (used to move expressions through a projection).</summary>
    public static BoundExpression Substitute(BoundExpression expression, IReadOnlyList<BoundExpression> inputColumns) =>
        Rewrite(expression, e => e is BoundColumn c ? inputColumns[c.Index] : null);

    /// <summary>The input column indexes an expression reads.</summary>
    public static void CollectColumns(BoundExpression expression, ISet<int> into) =>
        Rewrite(expression, e =>
        {
            if (e is BoundColumn c)
            {
                into.Add(c.Index);
            }

            return null;
        });

    /// <summary>The input column indexes some expressions read (a projection's, say).</summary>
    public static void CollectColumns(IEnumerable<BoundExpression> expressions, ISet<int> into)
    {
        foreach (var expression in expressions)
        {
            CollectColumns(expression, into);
        }
    }

    /// <summary>The direct children of a node (for checks such as "are all operands constant").</summary>
    public static IEnumerable<BoundExpression> Children(BoundExpression expression) => expression switch
    {
        BoundBinary b => [b.Left, b.Right],
        BoundNegate n => [n.Operand],
        BoundNot n => [n.Operand],
        BoundIsNull n => [n.Operand],
        BoundIsBoolean b => [b.Operand],
        BoundLike l => l.Escape is null ? [l.Operand, l.Pattern] : [l.Operand, l.Pattern, l.Escape],
        BoundInList i => [i.Operand, .. i.Values],
        BoundCase c => [.. c.Whens.SelectMany(w => new[] { w.Condition, w.Result }), .. c.Else is null ? Array.Empty<BoundExpression>() : [c.Else]],
        BoundCast c => [c.Operand],
        BoundFunctionCall f => f.Arguments,
        _ => [],
    };

    /// <summary>
    /// The operands of a chain of one associative operator, in order (a AND (b AND c): a, b, c; the same for ||); an
    /// expression that is not that operator is its own one operand, and null none.
    /// </summary>
    public static void Operands(BoundExpression? expression, Parser.Ast.BinaryOperator chained, List<BoundExpression> into)
    {
        if (expression is BoundBinary b && b.Operator == chained)
        {
            Operands(b.Left, chained, into);
            Operands(b.Right, chained, into);
        }
        else if (expression is not null)
        {
            into.Add(expression);
        }
    }

    /// <summary>Whether any of the expressions reads a column at index first or after it (columns appended by an operator below, say).</summary>
    public static bool ReadsColumnFrom(IEnumerable<BoundExpression> expressions, int first)
    {
        var columns = new HashSet<int>();
        CollectColumns(expressions, columns);
        return columns.Any(c => c >= first);
    }

    /// <summary>all AND next; next alone when there is nothing yet (to gather conjuncts one by one).</summary>
    public static BoundExpression And(BoundExpression? all, BoundExpression next) =>
        all is null ? next : new BoundBinary(Parser.Ast.BinaryOperator.And, all, next, next.Type);
}
