using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Logical;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Rules;

/// <summary>
/// Evaluates sub-expressions whose operands are all constants, once, at plan time; a filter that folds to TRUE disappears.
/// Before: Filter (amount > (1 + 1)) / After: Filter (amount > 2)
/// </summary>
public sealed class FoldConstants(IConstantEvaluator evaluator) : IRewriteRule
{
    public string Name => "FoldConstants";

    public LogicalPlan? Apply(LogicalPlan node)
    {
        switch (node)
        {
            case LogicalFilter filter:
                var predicate = Fold(filter.Predicate);
                if (predicate is BoundLiteral { Value: true })
                {
                    return filter.Input;
                }

                return ReferenceEquals(predicate, filter.Predicate) ? null : filter with { Predicate = predicate };
            case LogicalProject project:
                var folded = project.Expressions.Select(Fold).ToList();
                return folded.SequenceEqual(project.Expressions, ReferenceEqualityComparer.Instance) ? null : project with { Expressions = folded };
            default:
                return null;
        }
    }

    private BoundExpression Fold(BoundExpression expression)
    {
        var changed = false;
        var result = BoundExpressionRewriter.Rewrite(expression, e =>
        {
            // TRUE AND x is x; FALSE OR x is x (three-valued logic keeps x's NULL).
            if (e is BoundBinary { Operator: BinaryOperator.And or BinaryOperator.Or } logic)
            {
                var identity = logic.Operator == BinaryOperator.And;
                if (logic.Left is BoundLiteral { Value: bool l } && l == identity)
                {
                    changed = true;
                    return logic.Right;
                }

                if (logic.Right is BoundLiteral { Value: bool r } && r == identity)
                {
                    changed = true;
                    return logic.Left;
                }
            }

            // Arrays stay expressions: a literal holds only scalar constants.
            if (e is BoundLiteral or BoundColumn || e.Type.Kind == SqlTypeKind.Array || !BoundExpressionRewriter.Children(e).All(c => c is BoundLiteral)
                || e is BoundFunctionCall { Name: var name } && Functions.FunctionRegistry.Volatile.Contains(name))
            {
                return null;
            }

            if (evaluator.TryEvaluate(e, out var literal))
            {
                changed = true;
                return literal;
            }

            return null;
        });
        return changed ? result : expression;
    }
}
