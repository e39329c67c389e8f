using StreamSql.Parser.Ast;
using StreamSql.Planner.Bound;

namespace StreamSql.Planner.Binder;

/// <summary>How the binder learns what a $n parameter stands for: a declared or inferred type while describing, a typed value while executing.</summary>
public interface IParameterSource
{
    /// <summary>The bound form of $n; throws 42P02 when the statement has no such parameter.</summary>
    BoundExpression Bind(ParameterReference parameter);
}
