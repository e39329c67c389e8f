using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>Parameter values while a statement executes: $n becomes a constant of its (declared or inferred) type.</summary>
/// <param name="Types">The type of each parameter, by position.</param>
/// <param name="Values">Each value in the engine's constant representation (see BoundLiteral); null for SQL NULL.</param>
public sealed record ParameterValues(IReadOnlyList<SqlType> Types, IReadOnlyList<object?> Values) : IParameterSource
{
    public static readonly ParameterValues None = new([], []);

    public BoundExpression Bind(ParameterReference parameter)
    {
        var i = parameter.Index - 1;
        return i >= 0 && i < Types.Count
            ? new BoundLiteral(Values[i], Types[i])
            : throw new SqlException(SqlState.UndefinedParameter, $"there is no parameter ${parameter.Index}", parameter.Position);
    }
}
