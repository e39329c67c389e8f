using StreamSql.Planner.Bound;

namespace StreamSql.Planner.Rules;

/// <summary>Evaluates an expression without inputs; supplied by the runtime so folding uses exactly the run-time semantics.</summary>
public interface IConstantEvaluator
{
    /// <summary>False when evaluation raises an error: the expression is left for run time, which reports it.</summary>
    bool TryEvaluate(BoundExpression expression, out BoundLiteral result);
}
