using StreamSql.Planner.Logical;

namespace StreamSql.Planner.Rules;

/// <summary>One optimizer rule: rewrites the plan node it is given, or returns null when it does not apply there.</summary>
public interface IRewriteRule
{
    string Name { get; }

    LogicalPlan? Apply(LogicalPlan node);
}
